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
import { speechModelName } from '../../common/config/speech-model-name';
import { ReadinessRegistry } from '../../common/health/readiness.registry';
import { QueueService } from '../../common/queues/queue.service';
import { AudioStoreService } from '../../utterance/audio-store.service';
import { ResultStreamService } from '../../utterance/result-stream.service';
import { UtteranceRevisionsService } from '../../utterance/utterance-revisions.service';
import { ResultReaderService } from '../../utterance/result-reader.service';
import { GatewayMetrics } from '../gateway.metrics';
import { LoadMonitorService } from '../pipeline/load-monitor.service';
import { SpeculationVerdictsService } from '../../utterance/speculation-verdicts.service';
import { SpeculationOffersService } from '../../utterance/speculation-offers.service';
import { SEGMENTER_FACTORY, SegmenterFactory } from '../pipeline/segmenter.port';
import { SessionRecordsService } from '../session/session-records.service';
import { SessionStoreService } from '../session/session-store.service';
import { GatewaySecurityService } from '../../security/gateway-security.service';
import { LiveSession } from '../session-core/live-session';
import { SessionDeps } from '../session-core/session-port';
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
  private readonly instanceId = randomUUID().slice(0, 8);
  private readonly sessions = new Set<LiveSession>();
  private readonly adapters = streamRoutes();
  private wss?: WebSocketServer;
  private server?: Server;
  private accepting = false;
  private readonly deps: SessionDeps;

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
    offers: SpeculationOffersService,
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
      offers,
      turnMinConfidence: config.vad.turns.minConfidence,
      turnTiming: {
        mode: config.vad.turns.mode,
        silenceMs: config.vad.silenceThresholdSeconds * 1000,
        minSilenceMs: config.vad.turns.minSilenceMs,
        maxSilenceMs: config.vad.turns.maxSilenceMs,
      },
      speculation: {
        enabled: config.vad.speculativeSilenceSeconds > 0,
        maxQueueDepth: config.gateway.speculationMaxQueueDepth,
      },
      interimIntervalMs: config.vad.sttSendIntervalSeconds * 1000,
      defaultSampleRate: config.vad.sampleRate,
      sessionTtlSeconds: config.gateway.sessionTtlSeconds,
      instanceId: this.instanceId,
      modelName: speechModelName(config.stt),
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
