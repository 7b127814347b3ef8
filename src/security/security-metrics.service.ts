import { Injectable } from '@nestjs/common';
import { Counter, register } from 'prom-client';

function counter(name: string, help: string): Counter<'outcome'> {
  return (
    (register.getSingleMetric(name) as Counter<'outcome'> | undefined) ??
    new Counter({ name, help, labelNames: ['outcome'] })
  );
}

/** Bounded labels only: outcomes and reasons, never a key, token or address. */
@Injectable()
export class SecurityMetrics {
  private readonly upgrades = counter(
    'rt_security_upgrades_total',
    'WebSocket upgrades by outcome (api_key, token, anonymous, or the HTTP status refused)',
  );
  private readonly closes = counter(
    'rt_security_closes_total',
    'Connections closed by a security limit, by reason',
  );
  private readonly tokens = counter('rt_security_tokens_total', 'Session tokens issued, by path');

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
