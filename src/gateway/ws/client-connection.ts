import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { WebSocket, RawData } from 'ws';
import { PcmDecoder } from '../audio/pcm-decoder';
import { SessionDelivery, ResumePosition } from '../delivery/session-delivery';
import { ResultReaderService } from '../delivery/result-reader.service';
import { GatewayMetrics } from '../gateway-metrics.service';
import { PipelineDeps, UtterancePipeline } from '../pipeline/utterance-pipeline';
import { SegmenterFactory } from '../pipeline/segmenter.port';
import { SessionRecordsService } from '../session/session-records.service';
import { parseClientMessage } from '../protocol/client-messages';
import { CloseCode, ProtocolError } from '../protocol/protocol-error';
import { ServerFrame } from '../protocol/server-messages';
import { RealtimeEcho } from '../protocol/realtime-echo';
import { RoomSpeakerPort } from '../../rooms/room-speaker';
import {
  applyConfig,
  ConfigInput,
  configFromQuery,
  defaultSessionConfig,
  SessionConfig,
} from '../protocol/session-config';

export interface ConnectionDeps extends PipelineDeps {
  reader: ResultReaderService;
  segmenters: SegmenterFactory;
  metrics: GatewayMetrics;
  records: SessionRecordsService;
  defaultSampleRate: number;
  sessionTtlSeconds: number;
  /** This gateway instance (owners are `${instance}:${connection}`). */
  instanceId: string;
}

const TOUCH_INTERVAL_MS = 5000;
/** Unsent bytes above which `realtime` frames are skipped for a client. */
const SLOW_READER_BYTES = 1024 * 1024;

type ResumeRequest = { token?: string } & ResumePosition;

/** Resume parameters from the query string or a config frame; bad values are 4000 errors. */
export function parseResume(
  token: unknown,
  lastSeqValue: unknown,
  lastIdValue: unknown,
  closeCode: number | undefined = CloseCode.BadRequest,
): ResumeRequest {
  if (token !== undefined && (typeof token !== 'string' || token === '')) {
    throw new ProtocolError('invalid_resume', 'resume must be a resume token', closeCode);
  }
  let lastSeq: number | undefined;
  if (lastSeqValue !== undefined && lastSeqValue !== null) {
    lastSeq = Number(lastSeqValue);
    if (lastSeqValue === '' || !Number.isInteger(lastSeq) || lastSeq < 0) {
      throw new ProtocolError('invalid_resume', 'last_seq must be an integer >= 0', closeCode);
    }
  }
  let lastId: string | undefined;
  if (lastIdValue !== undefined && lastIdValue !== null) {
    if (typeof lastIdValue !== 'string' || !/^\d+-\d+$/.test(lastIdValue)) {
      throw new ProtocolError('invalid_resume', 'last_id must look like "12-0"', closeCode);
    }
    lastId = lastIdValue;
  }
  return { token: token, lastSeq, lastId };
}

/**
 * One client socket: decodes audio into the session's pipeline, answers control frames and sends
 * what the session's delivery produces. Every inbound frame is handled in arrival order.
 */
export class ClientConnection {
  private readonly logger = new Logger('ClientConnection');
  private readonly owner: string;
  private readonly echo = new RealtimeEcho();
  private chain: Promise<void>;
  private config!: SessionConfig;
  private sessionId = '';
  /** The API key owning the session (usage and transcripts are counted under it); null = none. */
  private keyId: string | null = null;
  /** A session created here is counted on first use (a config-frame resume may replace it). */
  private startPending = false;
  private token = '';
  private decoder!: PcmDecoder;
  private pipeline?: UtterancePipeline;
  private delivery?: SessionDelivery;
  private closing = false;
  private ended = false;
  private lastTouch = 0;
  private audioReceived = false;
  /** Counted in the sessions-active gauge. */
  private counted = false;
  private keepAlive?: NodeJS.Timeout;

  constructor(
    private readonly ws: WebSocket,
    private readonly params: URLSearchParams,
    private readonly deps: ConnectionDeps,
    private readonly onEnd: (connection: ClientConnection) => void,
    /** The authenticated API key (null: anonymous); only its own sessions can be resumed. */
    private readonly principalKeyId: string | null = null,
    /** Seconds of audio decoded in the session's own format, as each frame is decoded. */
    private readonly onAudioDecoded: (seconds: number) => void = () => undefined,
    /** Live rooms: publishes the session when asked (`room=` / config `room`), see docs/rooms.md. */
    private readonly room?: RoomSpeakerPort,
  ) {
    this.keyId = principalKeyId;
    this.owner = `${deps.instanceId}:${randomUUID()}`;
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', () => void this.onSocketClosed());
    ws.on('error', (error: Error & { code?: string }) => {
      this.deps.metrics.reject(
        error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'too_big' : 'socket_error',
      );
    });
    this.chain = this.open()
      .catch((error: unknown) => {
        if (error instanceof ProtocolError) throw error;
        // Redis unreachable while opening: nothing was lost, the client may simply retry.
        this.logger.warn(`Opening a session failed: ${(error as Error).message}`);
        throw new ProtocolError(
          'unavailable',
          'sessions are unavailable right now: try again later',
          CloseCode.TryAgainLater,
        );
      })
      .catch((error: unknown) => this.fail(error));
  }

  get id(): string {
    return this.sessionId;
  }

  private async open(): Promise<void> {
    const resume = parseResume(
      this.params.get('resume') ?? undefined,
      this.params.get('last_seq'),
      this.params.get('last_id'),
    );
    const input = configFromQuery(this.params);
    if (!resume.token && this.deps.load.overloaded) {
      this.deps.metrics.reject('overloaded');
      this.ws.close(CloseCode.TryAgainLater, 'overloaded: try again later');
      this.ended = true;
      return;
    }
    await this.attach(resume, input);
    this.counted = true;
    this.deps.metrics.sessionsActive.inc();
    // A connected session is not idle even when the client is silent: keep its keys alive.
    const refreshMs = Math.min(60, this.deps.sessionTtlSeconds / 3) * 1000;
    this.keepAlive = setInterval(() => {
      this.deps.store.touch(this.sessionId).catch(() => undefined);
    }, refreshMs);
    this.keepAlive.unref();
  }

  /** Binds this socket to a new or resumed session and starts its delivery. */
  private async attach(resume: ResumeRequest, input: ConfigInput): Promise<void> {
    let config: SessionConfig;
    if (resume.token) {
      const state = await this.deps.store.resume(resume.token, this.owner, this.principalKeyId);
      config = applyConfig(state.config, input);
      this.sessionId = state.sessionId;
      this.token = resume.token;
      this.startPending = false;
      await this.deps.store.saveConfig(this.sessionId, config);
    } else {
      config = applyConfig(defaultSessionConfig(this.deps.defaultSampleRate), input);
      ({ sessionId: this.sessionId, token: this.token } = await this.deps.store.create(
        config,
        this.owner,
        this.keyId,
      ));
      this.startPending = true;
    }
    const sessionId = this.sessionId;
    this.config = config;
    this.decoder = new PcmDecoder(config.encoding, config.sample_rate);
    this.delivery = new SessionDelivery(this.sessionId, this.owner, {
      store: this.deps.store,
      reader: this.deps.reader,
      send: (frame, sent) => this.send(frame, sent),
      onTakenOver: () => this.takenOver(),
      onFinalDelivered: (index) => {
        const endedAt = this.pipeline?.endedAt.get(index);
        if (endedAt === undefined) return;
        this.pipeline?.endedAt.delete(index);
        const latencyMs = Date.now() - endedAt;
        this.deps.metrics.deliveryLatency.observe(latencyMs / 1000);
        this.deps.load.recordFinalLatency(latencyMs);
      },
      onResultDelivered: (stored) => this.deps.records.delivered(sessionId, this.keyId, stored),
    });
    this.pipeline = new UtterancePipeline(
      this.sessionId,
      this.deps.segmenters.create({ emitInterims: true }),
      this.deps,
      {
        config: () => this.room?.effective(this.config) ?? this.config,
        send: (frame) => this.send(frame),
        expectFinal: (index, targets) => this.delivery?.expect(index, targets),
      },
    );
    const state = await this.deps.store.load(this.sessionId);
    this.keyId = state.keyId;
    const resumed = resume.token !== undefined;
    this.send(this.sessionFrame(resumed, state.seq));
    await this.delivery.start(resumed ? resume : undefined);
    await this.room?.attach(this.sessionId, this.params, (frame) => this.send(frame));
  }

  /**
   * `{"type":"config","resume":...}` before any audio: the session opened for this connection is
   * dropped (it has nothing yet) and the named one is resumed instead.
   */
  private async resumeFromConfig(config: Record<string, unknown>): Promise<void> {
    const { resume: token, last_seq: lastSeq, last_id: lastId, ...rest } = config;
    const resume = parseResume(token, lastSeq, lastId, undefined);
    if (this.audioReceived) {
      throw new ProtocolError(
        'invalid_resume',
        'resume in a config frame must come before any audio (or use ?resume= when connecting)',
      );
    }
    this.delivery?.stop();
    this.pipeline?.dispose();
    await this.deps.store.discard(this.sessionId).catch(() => undefined);
    await this.attach(resume, rest);
  }

  private sessionFrame(resumed: boolean, lastSeq: number): ServerFrame {
    return {
      type: 'session',
      session_id: this.sessionId,
      resume_token: this.token,
      resumed,
      last_seq: lastSeq,
      config: this.config,
    };
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.ended) return;
    const buffer = Buffer.isBuffer(data)
      ? data
      : Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.from(data);
    const received = performance.now();
    this.chain = this.chain
      .then(() =>
        isBinary ? this.onAudio(buffer, received) : this.onText(buffer.toString('utf8')),
      )
      .catch((error: unknown) => this.fail(error));
  }

  private async onAudio(frame: Buffer, received: number): Promise<void> {
    if (this.closing || !this.pipeline) return;
    this.audioReceived = true;
    this.recordStart();
    const before = this.decoder.secondsIn;
    const pcm = this.decoder.push(frame);
    const seconds = this.decoder.secondsIn - before;
    this.deps.metrics.audioSeconds.inc(seconds);
    this.onAudioDecoded(seconds);
    this.touch();
    if (pcm.length > 0) await this.pipeline.push(pcm);
    this.deps.metrics.audioLag.observe((performance.now() - received) / 1000);
  }

  private async onText(text: string): Promise<void> {
    if (!this.pipeline) return;
    let message;
    try {
      message = parseClientMessage(text);
    } catch (error) {
      this.deps.metrics.reject((error as ProtocolError).code);
      throw error;
    }
    this.touch();
    switch (message.type) {
      case 'config': {
        if ('resume' in message.config) {
          await this.resumeFromConfig(message.config);
          return;
        }
        const { room, ...fields } = message.config as ConfigInput & { room?: unknown };
        if (room !== undefined) {
          await this.room?.configure(room);
          if (Object.keys(fields).length === 0) return;
        }
        const next = applyConfig(this.config, fields);
        if (
          next.sample_rate !== this.config.sample_rate ||
          next.encoding !== this.config.encoding
        ) {
          const tail = this.decoder.flush();
          if (tail.length > 0) await this.pipeline.push(tail);
          this.decoder = new PcmDecoder(next.encoding, next.sample_rate);
        }
        this.config = next;
        await this.deps.store.saveConfig(this.sessionId, next);
        this.send(this.sessionFrame(false, this.delivery?.seq ?? 0));
        return;
      }
      case 'finalize':
        await this.pipeline.finalize('finalize');
        return;
      case 'keepalive':
      case 'refresh': // answered by the security layer (src/security)
        return;
      case 'close':
        await this.drainAndClose();
        return;
    }
  }

  /** Transcribes and delivers everything already spoken, then `closed` and close 1000. */
  private async drainAndClose(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const tail = this.decoder.flush();
    if (tail.length > 0) await this.pipeline!.push(tail);
    await this.pipeline!.finalize('close');
    if (!(await this.delivery!.drained())) {
      this.send({
        type: 'error',
        code: 'drain_timeout',
        message: 'some utterances are still being transcribed: resume the session later for them',
        retryable: true,
      });
    }
    this.send({ type: 'closed', last_seq: this.delivery!.seq });
    this.ws.close(CloseCode.Normal, 'closed');
  }

  /** Server shutdown: queue what was spoken, then ask the client to resume elsewhere. */
  async shutdown(): Promise<void> {
    this.closing = true;
    try {
      await this.chain;
      await this.pipeline?.finalize('close');
    } catch {
      // Best effort: the client resumes and gets whatever was queued.
    }
    this.ws.close(CloseCode.GoingAway, 'server shutting down: resume on another instance');
  }

  private fail(error: unknown): void {
    if (error instanceof ProtocolError) {
      this.send({ type: 'error', code: error.code, message: error.message });
      if (error.closeCode !== undefined) {
        this.deps.metrics.reject(error.code);
        this.closing = true;
        this.ws.close(error.closeCode, error.message.slice(0, 120));
      }
      return;
    }
    this.logger.error(
      `Session ${this.sessionId || '(new)'} failed: ${(error as Error).stack ?? String(error)}`,
    );
    this.send({ type: 'error', code: 'internal', message: 'internal error; resume to continue' });
    this.ws.close(CloseCode.Internal, 'internal error');
  }

  private takenOver(): void {
    this.closing = true;
    this.send({
      type: 'error',
      code: 'session_taken_over',
      message: 'this session was resumed on another connection',
    });
    this.ws.close(CloseCode.SessionTakenOver, 'session resumed on another connection');
  }

  private send(frame: ServerFrame, sent?: () => void): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    // A client that does not read its socket gets no more previews; finals still queue (and are
    // in the session outbox for a resume anyway).
    if (frame.type === 'realtime' && this.ws.bufferedAmount > SLOW_READER_BYTES) {
      this.deps.metrics.reject('slow_reader');
      return;
    }
    if (frame.type === 'realtime') this.room?.interim(frame);
    this.ws.send(JSON.stringify(frame), (error) => {
      if (!error) sent?.();
    });
    const echoes = this.config?.realtime_finals && this.config.interim_results;
    const echo = echoes ? this.echo.after(frame) : undefined;
    if (echo) this.ws.send(JSON.stringify(echo));
  }

  private recordStart(): void {
    if (!this.startPending) return;
    this.startPending = false;
    this.deps.records.sessionStarted(this.keyId);
  }

  private touch(): void {
    const now = Date.now();
    if (now - this.lastTouch < TOUCH_INTERVAL_MS || !this.sessionId) return;
    this.lastTouch = now;
    this.deps.store.touch(this.sessionId).catch(() => undefined);
  }

  private async onSocketClosed(): Promise<void> {
    if (this.ended) {
      this.onEnd(this);
      return;
    }
    this.ended = true;
    // A drain (or takeover) in progress has nobody left to deliver to: stop waiting for it.
    if (this.closing) this.delivery?.stop();
    try {
      await this.chain;
      // Speech cut off by a dropped connection is still transcribed, for the resumed session.
      if (!this.closing) await this.pipeline?.finalize('close');
    } catch (error) {
      this.logger.warn(`Session ${this.sessionId}: trailing utterance lost: ${String(error)}`);
    }
    this.recordStart();
    clearInterval(this.keepAlive);
    this.room?.stop();
    this.delivery?.stop();
    this.pipeline?.dispose();
    if (this.counted) this.deps.metrics.sessionsActive.dec();
    if (this.sessionId) this.deps.store.touch(this.sessionId).catch(() => undefined);
    this.onEnd(this);
  }
}
