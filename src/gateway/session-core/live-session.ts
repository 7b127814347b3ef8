import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { PcmDecoder } from '../audio/pcm-decoder';
import { SessionDelivery } from '../delivery/session-delivery';
import { UtterancePipeline } from '../pipeline/utterance-pipeline';
import { CloseCode } from '../../contracts/close-codes';
import { ProtocolError } from '../../contracts/protocol-error';
import { type ServerFrame } from '../../contracts/stream-frames';
import {
  applyConfig,
  type ConfigInput,
  defaultSessionConfig,
  type SessionConfig,
} from '../protocol/session-config';
import { SessionNotFoundError } from '../session-store/session-store.service';
import { type ResumeRequest } from './resume-request';
import {
  type AudioDecoder,
  type SessionDeps,
  type SessionOptions,
  type SessionOutput,
} from './session-port';
import { type SessionEnd } from '../gateway.metrics';
import { type SessionInput, type SessionState, SessionStateMachine } from './session-state';
import { FinalizeEndedUtterances } from './finalize-ended-utterances';
import { SerialQueue } from '../../common/serial-queue';
import type { TurnTiming } from '../../turns';

const TOUCH_INTERVAL_MS = 5000;

/** What a session object works with once it is attached to a session. */
interface SessionRuntime {
  /** The session's configuration (room settings are applied on top where they matter). */
  config: SessionConfig;
  decoder: AudioDecoder;
  readonly pipeline: UtterancePipeline;
  readonly delivery: SessionDelivery;
}

export interface SessionStart {
  /** Resume this session instead of creating one. */
  resume?: ResumeRequest;
  /** Configuration chosen when connecting (e.g. the query string). */
  config: ConfigInput;
  /** The connection's query, for the room parameters (docs/rooms.md). */
  roomQuery?: URLSearchParams;
}

/**
 * One live transcription session, whatever protocol carries it. It owns the VAD segmenter and
 * utterance pipeline, delivery (replay on resume, then live results), limits and usage hooks, and
 * an explicit lifecycle (session-state.ts). Protocol adapters (src/gateway/ws/) decode their
 * transport's frames into these calls and translate what comes out of `SessionOutput`:
 *
 * - `start({ resume, config, roomQuery })` once, right after the transport opened;
 * - `audio(bytes)` raw audio, decoded by `SessionOptions.decoder` (default PcmDecoder);
 * - `configure(input)` / `resumeInstead(resume, input)` mid-session configuration;
 * - `finalize()` ends the current utterance now; its final is sent with `fromFinalize`;
 * - `discard()` drops the current utterance without a final (audio the client threw away);
 * - `silenceThreshold(seconds)` changes the silence that ends an utterance from now on;
 * - `drain()` transcribes and delivers everything, sends `closed` and closes 1000;
 * - `keepalive()`, `reject(error)` (a frame the adapter could not parse);
 * - `transportClosed()` when the transport is gone, `shutdown()` on server shutdown.
 *
 * Every input is handled in arrival order on one serial queue; none of them throws.
 */
export class LiveSession {
  private readonly logger = new Logger('LiveSession');
  private readonly owner: string;
  private readonly lifecycle = new SessionStateMachine();
  /** Every input, in arrival order; what fails goes to fail(). */
  private readonly inputs = new SerialQueue((error) => this.fail(error));
  private sessionId = '';
  private token = '';
  /** The API key owning the session (usage and transcripts are counted under it); null = none. */
  private keyId: string | null;
  /** A session created here is counted on first use (a config-frame resume may replace it). */
  private startPending = false;
  /** Built by attach(); a resume replaces it whole. */
  private runtime?: SessionRuntime;
  private lastTouch = 0;
  /** Counted in the sessions-active gauge. */
  private counted = false;
  /** How the session ends, for the sessions metric. */
  private end: SessionEnd = 'closed';
  private released = false;
  private keepAlive?: NodeJS.Timeout;
  /** The connection's query, for the room parameters (also when a config resumes). */
  private roomQuery = new URLSearchParams();
  private readonly finalized = new FinalizeEndedUtterances();
  /** Set by silenceThreshold(): overrides SessionOptions.silenceThresholdSeconds. */
  private silenceSeconds?: number;
  /** Set by turnDetection() (an adapter's own turn settings): overrides everything else. */
  private turnOverride?: TurnTiming;
  /** Audio bytes queued and not yet decoded. */
  private pendingAudioBytes = 0;
  /** A frame was refused by the audio meter: the connection is closing, later audio is dropped. */
  private audioRefused = false;

  constructor(
    private readonly deps: SessionDeps,
    private readonly output: SessionOutput,
    private readonly options: SessionOptions = {},
  ) {
    this.keyId = options.principalKeyId ?? null;
    this.owner = `${deps.instanceId}:${randomUUID()}`;
  }

  get id(): string {
    return this.sessionId;
  }

  get state(): SessionState {
    return this.lifecycle.state;
  }

  /** The effective configuration (undefined until the session is opened). */
  get currentConfig(): SessionConfig | undefined {
    return this.runtime?.config;
  }

  start(request: SessionStart): void {
    this.inputs.push(() =>
      this.open(request).catch((error: unknown) => {
        if (error instanceof ProtocolError || error instanceof SessionNotFoundError) throw error;
        // Redis unreachable while opening: nothing was lost, the client may simply retry.
        this.logger.warn(`Opening a session failed: ${(error as Error).message}`);
        throw new ProtocolError(
          'unavailable',
          'sessions are unavailable right now: try again later',
          CloseCode.TryAgainLater,
        );
      }),
    );
  }

  audio(bytes: Buffer): void {
    if (!this.acceptsInput || this.audioRefused) return;
    const received = performance.now();
    // Charged before it is queued, so a burst can not be decoded past the limits.
    const estimated = this.runtime?.decoder.secondsOf?.(bytes.length) ?? 0;
    const pending = this.pendingAudioBytes + bytes.length;
    if (this.options.audioMeter && !this.options.audioMeter.admit(estimated, pending)) {
      this.audioRefused = true;
      return;
    }
    this.pendingAudioBytes = pending;
    this.inputs.push(async () => {
      try {
        await this.onAudio(bytes, received, estimated);
      } finally {
        this.pendingAudioBytes -= bytes.length;
      }
    });
  }

  configure(input: ConfigInput): void {
    this.inputs.push(() => this.onConfig(input));
  }

  /**
   * Drops the session opened for this connection (it has nothing yet) and resumes the named one
   * instead; refused once audio went into the session.
   */
  resumeInstead(resume: ResumeRequest, input: ConfigInput): void {
    this.inputs.push(() => this.onResume(resume, input));
  }

  /** `done(ended)`, in order, tells whether an utterance was open (and is now ended). */
  finalize(done?: (ended: boolean) => void): void {
    this.inputs.push(async () => {
      if (!this.apply('finalize')) {
        done?.(false);
        return;
      }
      this.touch();
      const before = this.finalized.count;
      await this.attached.pipeline.finalize('finalize');
      done?.(this.finalized.count > before);
    });
  }

  /**
   * Drops the utterance in progress: no final, no error; interims already sent for it are all
   * the client gets. Audio after it is segmented afresh. `done(index)` gets the dropped
   * utterance's index, when it had one.
   */
  discard(done?: (index: number | undefined) => void): void {
    this.inputs.push(async () => {
      let index: number | undefined;
      if (this.apply('discard')) {
        this.touch();
        index = await this.attached.pipeline.discard();
      }
      done?.(index);
    });
  }

  /** The silence that ends an utterance, from the next audio on (kept across a resume). */
  silenceThreshold(seconds: number): void {
    this.inputs.push(() => {
      this.silenceSeconds = seconds;
      this.turnOverride = undefined;
      if (this.apply('config')) {
        const { pipeline, config } = this.attached;
        pipeline.setTurnTiming(this.turnTiming(config));
      }
      return Promise.resolve();
    });
  }

  /** How utterances end from the next audio on (an adapter's turn settings, kept across a resume). */
  turnDetection(timing: TurnTiming): void {
    this.inputs.push(() => {
      this.turnOverride = timing;
      if (this.apply('config')) this.attached.pipeline.setTurnTiming(timing);
      return Promise.resolve();
    });
  }

  /**
   * The adapter's turn settings, else the client's `turn_detection`, else a silence the adapter
   * chose (always `silence` mode), else the server's TURN_MODE.
   */
  private turnTiming(config: SessionConfig): TurnTiming {
    if (this.turnOverride) return this.turnOverride;
    const base = this.deps.turnTiming;
    const chosenSilence = this.silenceSeconds ?? this.options.silenceThresholdSeconds;
    const silenceMs = chosenSilence !== undefined ? chosenSilence * 1000 : base.silenceMs;
    const mode = config.turn_detection ?? (chosenSilence !== undefined ? 'silence' : base.mode);
    return { ...base, mode, silenceMs };
  }

  drain(): void {
    this.inputs.push(() => this.onDrain());
  }

  keepalive(): void {
    this.inputs.push(() => Promise.resolve(this.touch()));
  }

  /**
   * A client frame the adapter could not use: an error frame in arrival order (and a close, when
   * the error has a close code).
   */
  reject(error: ProtocolError): void {
    this.inputs.push(() => Promise.reject(error));
  }

  /** Server shutdown: queue what was spoken, then ask the client to resume elsewhere. */
  async shutdown(): Promise<void> {
    this.apply('shutdown');
    try {
      await this.inputs.idle();
      await this.runtime?.pipeline.finalize('close');
    } catch {
      // Best effort: the client resumes and gets whatever was queued.
    }
    this.output.close(CloseCode.GoingAway, 'server shutting down: resume on another instance');
  }

  /** The transport is gone: finishes what was spoken (for a resume) and releases everything. */
  async transportClosed(): Promise<void> {
    const before = this.lifecycle.state;
    const step = this.lifecycle.apply('transport_closed');
    const wasLive = before === 'opening' || before === 'ready' || before === 'streaming';
    // A drain (or takeover) in progress has nobody left to deliver to: stop waiting for it.
    if (!wasLive) this.runtime?.delivery.stop();
    try {
      await this.inputs.idle();
      // Speech cut off by a dropped connection is still transcribed, for the resumed session.
      if (step.accepted && wasLive) await this.runtime?.pipeline.finalize('close');
    } catch (error) {
      this.logger.warn(`Session ${this.sessionId}: trailing utterance lost: ${String(error)}`);
    }
    this.release();
  }

  /** The runtime of the attached session; inputs that need it are accepted only once attached. */
  private get attached(): SessionRuntime {
    if (!this.runtime) throw new Error('LiveSession: no session attached yet');
    return this.runtime;
  }

  private get acceptsInput(): boolean {
    const state = this.lifecycle.state;
    return state === 'opening' || this.lifecycle.live;
  }

  private apply(input: SessionInput): boolean {
    const step = this.lifecycle.apply(input);
    if (step.accepted || step.outcome === 'ignored') return step.accepted;
    throw new ProtocolError(
      'invalid_resume',
      'resume in a config frame must come before any audio (or use ?resume= when connecting)',
    );
  }

  private async open(request: SessionStart): Promise<void> {
    const { resume } = request;
    if (!resume?.token && this.deps.load.overloaded) {
      this.deps.metrics.reject('overloaded');
      this.end = 'refused';
      this.lifecycle.apply('fail');
      this.output.close(CloseCode.TryAgainLater, 'overloaded: try again later');
      return;
    }
    if (request.roomQuery) this.roomQuery = request.roomQuery;
    await this.attach(resume ?? {}, request.config);
    if (!this.apply('attached')) return;
    this.counted = true;
    this.deps.metrics.sessionStarted();
    // A connected session is not idle even when the client is silent: keep its keys alive.
    const refreshMs = Math.min(60, this.deps.sessionTtlSeconds / 3) * 1000;
    this.keepAlive = setInterval(() => {
      this.deps.store.touch(this.sessionId).catch(() => undefined);
    }, refreshMs);
    this.keepAlive.unref();
  }

  /** Binds this session object to a new or resumed session and starts its delivery. */
  private async attach(resume: ResumeRequest, input: ConfigInput): Promise<void> {
    let config: SessionConfig;
    if (resume.token) {
      const state = await this.deps.store.resume(
        resume.token,
        this.owner,
        this.options.principalKeyId ?? null,
      );
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
    this.finalized.forgetIndices();
    const runtime = this.createRuntime(config);
    this.runtime = runtime;
    const state = await this.deps.store.load(this.sessionId);
    this.keyId = state.keyId;
    const resumed = resume.token !== undefined;
    this.send(this.sessionFrame(resumed, state.seq));
    await runtime.delivery.start(resumed ? resume : undefined);
    await this.options.room?.attach(this.sessionId, this.roomQuery, (frame) => this.send(frame));
  }

  /**
   * The decoder, delivery and pipeline of the session just bound. Their hooks reach the runtime
   * through `attached`: they only run once it is in place.
   */
  private createRuntime(config: SessionConfig): SessionRuntime {
    const sessionId = this.sessionId;
    const decoder = this.createDecoder(config);
    const delivery = new SessionDelivery(sessionId, this.owner, {
      store: this.deps.store,
      reader: this.deps.reader,
      send: (frame, sent) => this.send(frame, sent),
      onTakenOver: () => this.takenOver(),
      onFinalDelivered: (index, writtenAt) => this.finalDelivered(index, writtenAt),
      onResultDelivered: (stored) => this.deps.records.delivered(sessionId, this.keyId, stored),
    });
    const timing = this.turnTiming(config);
    const pipeline = new UtterancePipeline(
      sessionId,
      this.deps.segmenters.create({
        emitInterims: true,
        silenceThresholdSeconds: UtterancePipeline.restingSilenceSeconds(timing),
      }),
      this.deps,
      {
        config: () => {
          const current = this.attached.config;
          return this.options.room?.effective(current) ?? current;
        },
        send: (frame) => this.send(frame),
        expectFinal: (index, targets) => this.attached.delivery.expect(index, targets),
        speechStarted: (event) => this.output.speechStarted?.(event),
        utteranceEnded: (event) => {
          if (event.reason === 'finalize') this.finalized.add(event.index);
          this.output.utteranceEnded?.(event);
        },
        turn: (frame) => this.send(frame),
      },
      timing,
    );
    return { config, decoder, pipeline, delivery };
  }

  /** Delivery latency: from the utterance's end to its final going out. */
  private finalDelivered(index: number, resultWrittenAt: number | undefined): void {
    const ended = this.attached.pipeline.takeFinalEnd(index);
    if (ended === undefined) return;
    const latencyMs = Date.now() - ended.at;
    this.deps.metrics.deliveryLatency.observe(latencyMs / 1000);
    this.deps.metrics.finalDelivered(ended.speechEndedAt, resultWrittenAt);
    this.deps.load.recordFinalLatency(latencyMs);
  }

  private createDecoder(config: SessionConfig): AudioDecoder {
    return this.options.decoder?.(config) ?? new PcmDecoder(config.encoding, config.sample_rate);
  }

  private async onResume(resume: ResumeRequest, input: ConfigInput): Promise<void> {
    if (!this.apply('resume')) return;
    const { delivery, pipeline } = this.attached;
    delivery.stop();
    pipeline.dispose();
    await this.deps.store.discard(this.sessionId).catch(() => undefined);
    await this.attach(resume, input);
  }

  private async onAudio(frame: Buffer, received: number, estimated: number): Promise<void> {
    if (!this.apply('audio')) return;
    this.recordStart();
    const { decoder, pipeline } = this.attached;
    const before = decoder.secondsIn;
    const pcm = decoder.push(frame);
    const seconds = decoder.secondsIn - before;
    this.deps.metrics.audioSeconds.inc(seconds);
    this.options.audioMeter?.decoded(seconds, estimated);
    this.touch();
    if (pcm.length > 0) await pipeline.push(pcm, performance.timeOrigin + received);
    this.deps.metrics.audioLag.observe((performance.now() - received) / 1000);
  }

  private async onConfig(input: ConfigInput): Promise<void> {
    if (!this.apply('config')) return;
    this.touch();
    const { room, ...fields } = input as ConfigInput & { room?: unknown };
    if (room !== undefined) {
      await this.options.room?.configure(room);
      if (Object.keys(fields).length === 0) return;
    }
    const runtime = this.attached;
    const next = applyConfig(runtime.config, fields);
    if (
      next.sample_rate !== runtime.config.sample_rate ||
      next.encoding !== runtime.config.encoding
    ) {
      const tail = runtime.decoder.flush();
      if (tail.length > 0) await runtime.pipeline.push(tail);
      runtime.decoder = this.createDecoder(next);
    }
    const turnChanged = next.turn_detection !== runtime.config.turn_detection;
    runtime.config = next;
    if (turnChanged) runtime.pipeline.setTurnTiming(this.turnTiming(next));
    await this.deps.store.saveConfig(this.sessionId, next);
    this.send(this.sessionFrame(false, runtime.delivery.seq));
  }

  /** Transcribes and delivers everything already spoken, then `closed` and close 1000. */
  private async onDrain(): Promise<void> {
    if (!this.apply('drain')) return;
    this.touch();
    const { decoder, pipeline, delivery } = this.attached;
    const tail = decoder.flush();
    if (tail.length > 0) await pipeline.push(tail);
    await pipeline.finalize('close');
    const complete = await delivery.drained();
    // Taken over (or the transport closed) while draining: nobody to tell.
    if (!this.apply('drained')) return;
    if (!complete) {
      this.send({
        type: 'error',
        code: 'drain_timeout',
        message: 'some utterances are still being transcribed: resume the session later for them',
        retryable: true,
      });
    }
    this.send({ type: 'closed', last_seq: delivery.seq });
    this.output.close(CloseCode.Normal, 'closed');
  }

  private fail(caught: unknown): void {
    const error =
      caught instanceof SessionNotFoundError
        ? new ProtocolError('session_not_found', caught.message, CloseCode.SessionNotFound)
        : caught;
    if (error instanceof ProtocolError) {
      this.send({ type: 'error', code: error.code, message: error.message });
      if (error.closeCode !== undefined) {
        this.deps.metrics.reject(error.code);
        this.end = 'error';
        this.lifecycle.apply('fail');
        this.output.close(error.closeCode, error.message.slice(0, 120));
      }
      return;
    }
    this.logger.error(
      `Session ${this.sessionId || '(new)'} failed: ${(error as Error).stack ?? String(error)}`,
    );
    this.send({ type: 'error', code: 'internal', message: 'internal error; resume to continue' });
    this.end = 'error';
    // No state change: the trailing speech is still finalized when the transport closes.
    this.output.close(CloseCode.Internal, 'internal error');
  }

  private takenOver(): void {
    if (!this.lifecycle.apply('takeover').accepted) return;
    this.send({
      type: 'error',
      code: 'session_taken_over',
      message: 'this session was resumed on another connection',
    });
    this.output.close(CloseCode.SessionTakenOver, 'session resumed on another connection');
  }

  private send(frame: ServerFrame, sent?: () => void): void {
    const config = this.runtime?.config;
    if (frame.type === 'realtime' && config) this.options.room?.interim(frame, config);
    if (frame.type === 'error') this.deps.metrics.errors.inc({ code: frame.code });
    const fromFinalize = this.finalized.includes(frame);
    this.output.send(frame, fromFinalize ? { sent, fromFinalize } : { sent });
  }

  private sessionFrame(resumed: boolean, lastSeq: number): ServerFrame {
    return {
      type: 'session',
      session_id: this.sessionId,
      resume_token: this.token,
      resumed,
      last_seq: lastSeq,
      config: this.attached.config,
    };
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

  private release(): void {
    if (this.released) {
      this.options.onEnded?.();
      return;
    }
    this.released = true;
    this.recordStart();
    clearInterval(this.keepAlive);
    this.options.room?.stop();
    this.runtime?.delivery.stop();
    this.runtime?.pipeline.dispose();
    this.deps.metrics.sessionEnded(this.counted, this.end);
    if (this.sessionId) this.deps.store.touch(this.sessionId).catch(() => undefined);
    this.options.onEnded?.();
  }
}
