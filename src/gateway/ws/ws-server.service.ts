import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { IncomingMessage, Server } from 'node:http';
import { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { APP_CONFIG, AppConfig } from '../../common/config/app-config';
import { ReadinessRegistry } from '../../common/health/readiness.registry';
import { QueueService } from '../../common/queues/queue.service';
import { AudioStoreService } from '../../common/results/audio-store.service';
import { ResultStreamService } from '../../common/results/result-stream.service';
import { UtteranceRevisionsService } from '../../common/results/utterance-revisions.service';
import { ResultReaderService } from '../delivery/result-reader.service';
import { GatewayMetrics } from '../gateway-metrics.service';
import { LoadMonitorService } from '../pipeline/load-monitor.service';
import { SpeculationVerdictsService } from '../../common/results/speculation-verdicts.service';
import { SEGMENTER_FACTORY, SegmenterFactory } from '../pipeline/segmenter.port';
import { SessionRecordsService } from '../session/session-records.service';
import { SessionStoreService } from '../session/session-store.service';
import { GatewaySecurityService } from '../../security/gateway-security.service';
import { ClientConnection, ConnectionDeps } from './client-connection';
import { LISTEN_PATH, RoomListenersService } from '../../rooms/room-listeners.service';
import { RoomsService } from '../../rooms/rooms.service';

/** Paths a client may connect to. */
export const WS_PATHS = ['/', '/v1/listen'];

/**
 * The WebSocket endpoint on the gateway's HTTP server (GATEWAY_PORT). Upgrades are handled here
 * (ws `noServer`), so requests can be checked before a socket opens; each socket becomes a
 * ClientConnection.
 */
@Injectable()
export class WsServerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Gateway');
  private readonly instanceId = randomUUID().slice(0, 8);
  private readonly connections = new Set<ClientConnection>();
  private wss?: WebSocketServer;
  private server?: Server;
  private accepting = false;
  private readonly deps: ConnectionDeps;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
    private readonly readiness: ReadinessRegistry,
    private readonly metrics: GatewayMetrics,
    store: SessionStoreService,
    audio: AudioStoreService,
    results: ResultStreamService,
    revisions: UtteranceRevisionsService,
    queues: QueueService,
    load: LoadMonitorService,
    reader: ResultReaderService,
    records: SessionRecordsService,
    verdicts: SpeculationVerdictsService,
    @Inject(SEGMENTER_FACTORY) segmenters: SegmenterFactory,
    private readonly security: GatewaySecurityService,
    @Optional() private readonly rooms?: RoomsService,
    @Optional() private readonly roomListeners?: RoomListenersService,
  ) {
    this.deps = {
      store,
      audio,
      results,
      revisions,
      queues,
      load,
      reader,
      segmenters,
      metrics,
      records,
      verdicts,
      speculation: {
        enabled: config.vad.speculativeSilenceSeconds > 0,
        maxQueueDepth: config.gateway.speculationMaxQueueDepth,
      },
      interimIntervalMs: config.vad.sttSendIntervalSeconds * 1000,
      defaultSampleRate: config.vad.sampleRate,
      sessionTtlSeconds: config.gateway.sessionTtlSeconds,
      instanceId: this.instanceId,
    };
  }

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
      details: { connections: this.connections.size },
    }));
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://gateway');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (this.roomListeners && LISTEN_PATH.test(path) && this.accepting) {
      // Read-only room listeners (src/rooms): their own credentials, no audio.
      await this.roomListeners.upgrade(request, socket, head);
      return;
    }
    if (!WS_PATHS.includes(path)) {
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
    // Authentication, Origin and failed-auth limits before the socket opens (src/security).
    socket.on('error', () => undefined);
    const decision = await this.security.authorize(request);
    if (!decision.ok) {
      this.metrics.reject(`auth_${decision.status}`);
      this.security.reject(socket, decision.status, decision.reason);
      return;
    }
    this.wss!.handleUpgrade(request, socket, head, (ws) => {
      // The guard listens first: its limits see each frame before the session handles it.
      const meter = this.security.attach(ws, decision.principal);
      const connection = new ClientConnection(
        ws,
        url.searchParams,
        this.deps,
        (done) => this.connections.delete(done),
        decision.principal.keyId,
        meter,
        this.rooms?.speakerLink(request, decision.principal.keyId),
      );
      this.connections.add(connection);
    });
  }

  /** Shutdown: no new sockets; open ones queue what was spoken and are told to resume. */
  async onModuleDestroy(): Promise<void> {
    this.accepting = false;
    const open = [...this.connections];
    if (open.length > 0) this.logger.log(`Closing ${open.length} WebSocket session(s)`);
    await Promise.all(open.map((connection) => connection.shutdown()));
    this.wss?.close();
  }
}
