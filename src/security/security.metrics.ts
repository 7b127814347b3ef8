import { Injectable } from '@nestjs/common';
import { counter } from '../common/metrics/registered-metrics';

/** Bounded labels only: outcomes and reasons, never a key, token or address. */
@Injectable()
export class SecurityMetrics {
  private readonly upgrades = counter({
    name: 'rt_security_upgrades_total',
    help: 'WebSocket upgrades by outcome (api_key, token, anonymous, or the HTTP status refused)',
    labelNames: ['outcome'],
  });
  private readonly closes = counter({
    name: 'rt_security_closes_total',
    help: 'Connections closed by a security limit, by reason',
    labelNames: ['outcome'],
  });
  private readonly tokens = counter({
    name: 'rt_security_tokens_total',
    help: 'Session tokens issued, by path',
    labelNames: ['outcome'],
  });

  upgrade(outcome: string): void {
    this.upgrades.inc({ outcome });
  }

  closed(reason: string): void {
    this.closes.inc({ outcome: reason });
  }

  issued(path: 'http' | 'refresh'): void {
    this.tokens.inc({ outcome: path });
  }
}
