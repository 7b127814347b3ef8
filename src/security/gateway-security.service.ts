import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { IncomingMessage } from 'node:http';
import { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';
import { WebSocket } from 'ws';
import { selectProtocol } from './credentials';
import { AuthDecision, Principal } from './principal';
import { AudioMeter, SessionGuardService } from './session-guard.service';
import { UpgradeAuthService } from './upgrade-auth.service';

/**
 * What the gateway's upgrade path calls: `authorize` before the socket opens (a refusal is
 * written with `reject`), `attach` once it is open.
 */
@Injectable()
export class GatewaySecurityService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly auth: UpgradeAuthService,
    private readonly guard: SessionGuardService,
  ) {}

  /** For ws `handleProtocols`: never echoes a `bearer.<token>` subprotocol. */
  readonly handleProtocols = (offered: Set<string>): string | false => selectProtocol(offered);

  authorize(request: IncomingMessage): Promise<AuthDecision> {
    return this.auth.authorize(request);
  }

  /** Writes the HTTP refusal of an upgrade and closes the socket. */
  reject(socket: Duplex, status: number, reason: string): void {
    const body = JSON.stringify({ statusCode: status, message: reason });
    const headers = [
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
      'Connection: close',
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(body)}`,
      ...(status === 401 ? ['WWW-Authenticate: Bearer'] : []),
      ...(status === 429 ? [`Retry-After: ${this.config.security.authFailureWindowSeconds}`] : []),
    ];
    socket.end(`${headers.join('\r\n')}\r\n\r\n${body}`);
  }

  /** Returns the meter the connection charges its audio to (usage, pace, quota). */
  attach(
    ws: WebSocket,
    principal: Principal,
    options: { textFramesCarryAudio?: boolean } = {},
  ): AudioMeter {
    return this.guard.attach(ws, principal, options);
  }
}
