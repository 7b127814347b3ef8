import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { IncomingMessage, Server } from 'node:http';
import { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { APP_CONFIG, AppConfig } from '../../common/config/app-config';
import { ReadinessRegistry } from '../../common/health/readiness.registry';
import { GatewayMetrics } from '../gateway.metrics';
import { GatewaySecurityService } from '../../security/gateway-security.service';
import { LiveSession } from '../session-core/live-session';
import { SessionDeps } from '../session-core/session-port';
import { SESSION_DEPS } from '../session-core/session-deps.provider';
import { streamRoutes } from './stream-routes';
import { LISTEN_PATH, RoomListenersService } from '../../rooms/room-listeners.service';
import { RoomsService } from '../../rooms/rooms.service';

/**
 * The WebSocket endpoints on the gateway's HTTP server (GATEWAY_PORT). Upgrades are handled here
 * (ws `noServer`), so requests are checked before a socket opens; the adapter registered for the
 * path then turns the socket into a LiveSession.
 */
@Injectable()
export class WsServerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Gateway');
  private readonly sessions = new Set<LiveSession>();
  private readonly adapters = streamRoutes();
  private wss?: WebSocketServer;
  private server?: Server;
  private accepting = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
    private readonly readiness: ReadinessRegistry,
    private readonly metrics: GatewayMetrics,
    @Inject(SESSION_DEPS) private readonly deps: SessionDeps,
    private readonly security: GatewaySecurityService,
    @Optional() private readonly rooms?: RoomsService,
    @Optional() private readonly roomListeners?: RoomListenersService,
  ) {}

  onApplicationBootstrap(): void {
    this.server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.config.gateway.maxFrameBytes,
      perMessageDeflate: false,
      handleProtocols: this.security.handleProtocols,
    });
    this.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.upgrade(request, socket, head).catch((error: unknown) => {
        this.logger.error(`Upgrade failed: ${(error as Error).message}`);
        socket.destroy();
      });
    });
    this.accepting = true;
    this.readiness.register('gateway', () => ({
      ready: this.accepting && this.server?.listening === true,
      details: { connections: this.sessions.size },
    }));
  }

  get connectionCount(): number {
    return this.sessions.size;
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://gateway');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (this.roomListeners && LISTEN_PATH.test(path) && this.accepting) {
      // Read-only room listeners (src/rooms): their own credentials, no audio.
      await this.roomListeners.upgrade(request, socket, head);
      return;
    }
    const adapter = this.adapters.find(path);
    if (!adapter) {
      this.metrics.reject('bad_path');
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (!this.accepting) {
      socket.end(
        'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    socket.on('error', () => undefined);
    const refusal = adapter.refuse?.(url.searchParams);
    if (refusal !== undefined) {
      this.metrics.reject('bad_query');
      this.security.reject(socket, 400, refusal);
      return;
    }
    // Authentication, Origin and failed-auth limits before the socket opens (src/security).
    const decision = await this.security.authorize(request);
    if (!decision.ok) {
      this.metrics.reject(`auth_${decision.status}`);
      this.security.reject(socket, decision.status, decision.reason);
      return;
    }
    this.wss!.handleUpgrade(request, socket, head, (ws) => {
      // The guard listens first: its limits see each frame before the session handles it.
      const meter = this.security.attach(ws, decision.principal, {
        textFramesCarryAudio: adapter.textFramesCarryAudio,
      });
      const session: LiveSession = adapter.connect({
        ws,
        query: url.searchParams,
        deps: this.deps,
        options: {
          principalKeyId: decision.principal.keyId,
          audioMeter: meter,
          room: this.rooms?.speakerLink(request, decision.principal.keyId),
          onEnded: () => this.sessions.delete(session),
        },
      });
      this.sessions.add(session);
    });
  }

  /** Shutdown: no new sockets; open ones queue what was spoken and are told to resume. */
  async onModuleDestroy(): Promise<void> {
    this.accepting = false;
    const open = [...this.sessions];
    if (open.length > 0) this.logger.log(`Closing ${open.length} WebSocket session(s)`);
    await Promise.all(open.map((session) => session.shutdown()));
    this.wss?.close();
  }
}
