import { Logger } from '@nestjs/common';
import { PIPELINE_SAMPLE_RATE } from '../../audio/pipeline-rate';
import { JOB_PRIORITY } from '../../common/queues/job-defaults';
import { type SttJob, type UtteranceKind } from '../../contracts/job-payloads';
import { QueueName } from '../../contracts/queue-names';
import { type QueueService } from '../../common/queues/queue.service';
import { SerialQueue } from '../../common/serial-queue';
import { type AudioStoreService } from '../../utterance/audio-store.service';
import { type ResultStreamService } from '../../utterance/result-stream.service';
import { type SpeculationVerdictsService } from '../../utterance/speculation-verdicts.service';
import { type SpeculationOffersService } from '../../utterance/speculation-offers.service';
import type { SpeculationOffer } from '../../contracts/speculation-verdict';
import type { TurnFrame } from '../../contracts/stream-frames';
import { judgeTurnWithAudio, type TurnAudioSignal, type TurnTiming } from '../../turns';
import { type UtteranceRevisionsService } from '../../utterance/utterance-revisions.service';
import { type SessionConfig } from '../protocol/session-config';
import { type ServerFrame } from '../../contracts/stream-frames';
import { type SessionStoreService } from '../session-store/session-store.service';
import { type GatewayMetrics } from '../gateway.metrics';
import { AudioArrivals } from './audio-arrivals';
import { type FinalEnd, UndeliveredFinals } from './undelivered-finals';
import { type LoadMonitorService } from './load-monitor.service';
import { type Segmenter, type SegmenterEvent } from './segmenter.port';
import { type SpeculationLimits, SpeculationTracker } from '../../utterance/speculation-tracker';
import {
  finalResultId,
  sttJobId,
  utteranceId as utteranceIdOf,
} from '../../contracts/utterance-ids';

export interface PipelineDeps {
  store: SessionStoreService;
  audio: AudioStoreService;
  results: ResultStreamService;
  revisions: UtteranceRevisionsService;
  queues: QueueService;
  load: LoadMonitorService;
  metrics: GatewayMetrics;
  verdicts: SpeculationVerdictsService;
  offers: SpeculationOffersService;
  speculation: SpeculationLimits;
  /** TURN_MIN_CONFIDENCE: the turn judge's floor for a decode's confidence. */
  turnMinConfidence: number;
  /** TURN_AUDIO_MODEL: the audio signal beside the text (signal undefined: text only). */
  turnAudio?: { readonly signal: TurnAudioSignal | undefined; readonly threshold: number };
  /** STT_SEND_INTERVAL in ms (interims are spaced by it times the load's backoff factor). */
  interimIntervalMs: number;
}

/** Segmenter timing, in seconds of session audio. */
export interface SpeechStarted {
  utterance: number;
  atSec: number;
}

export interface UtteranceEnded {
  utterance: number;
  /** The utterance's index in the session (utterance ids are `${sessionId}:${index}`). */
  index: number;
  /** silence | finalize | max-length | close */
  reason: string;
  startSec: number;
  endSec: number;
  speechStartSec?: number;
  speechEndSec?: number;
}

export interface PipelineHooks {
  config(): SessionConfig;
  send(frame: ServerFrame): void;
  /** The final of `index` is about to be enqueued (delivery must wait for it). */
  expectFinal(index: number, targets: string[]): void;
  /** The segmenter heard speech begin (called as the audio is segmented). */
  speechStarted?(event: SpeechStarted): void;
  /** An utterance ended and has its index: its final is being enqueued. */
  utteranceEnded?(event: UtteranceEnded): void;
  /** Semantic turns: the judge's view of the turn (eager end, resumed, end). */
  turn?(frame: TurnFrame): void;
}

type InterimEvent = Extract<SegmenterEvent, { type: 'interim' }>;
type SpeculativeEvent = Extract<SegmenterEvent, { type: 'speculative' }>;
type FinalEvent = Extract<SegmenterEvent, { type: 'final' }>;

interface OpenUtterance {
  index: number;
  revision: number;
}

/** Warn about dropped interims at most this often per session. */
const WARNING_INTERVAL_MS = 5000;

/**
 * One session's path from segmenter events to stt jobs: audio into Redis, the revision marked,
 * then the job enqueued (finals first in the queue). Finals are never dropped silently.
 *
 * Speculative finals: when the segmenter offers the final's audio early (first silence), it goes
 * out as a final job marked `speculative`, unless the stt queue is too deep. When the threshold
 * passes with that same audio, the speculation is confirmed (its result becomes the final; no
 * second job); when speech comes back or the final has other audio, it is cancelled and never
 * delivered (the stt worker holds its result until it learns which).
 */
export class UtterancePipeline {
  private readonly logger = new Logger('UtterancePipeline');
  private readonly open = new Map<number, OpenUtterance>();
  private lastWarning = 0;
  /** The Redis work for segmenter events, in order. */
  private readonly jobs = new SerialQueue((error) =>
    this.logger.error(`Pipeline task failed for ${this.sessionId}: ${String(error)}`),
  );
  private waitingInterim: InterimEvent | undefined;
  private lastInterimAt = 0;
  private readonly speculations: SpeculationTracker;
  private readonly undelivered = new UndeliveredFinals();
  private readonly arrivals = new AudioArrivals();
  /** Semantic turns: per utterance number, whether its turn was judged complete, and its watch. */
  private readonly turns = new Map<
    number,
    { eager: boolean; stopWatching: () => void; audio?: Promise<number | undefined> }
  >();

  /**
   * `timing`: when utterances end. The segmenter must have been created with its resting
   * threshold (restingSilenceSeconds); in `semantic` mode a complete turn lowers it to
   * `minSilenceMs` until the utterance ends or speech resumes.
   */
  constructor(
    private readonly sessionId: string,
    private readonly segmenter: Segmenter,
    private readonly deps: PipelineDeps,
    private readonly hooks: PipelineHooks,
    private timing: TurnTiming,
  ) {
    this.speculations = new SpeculationTracker(deps.speculation);
  }

  /** The silence (s) that ends an utterance whose turn is not known to be complete. */
  static restingSilenceSeconds(timing: TurnTiming): number {
    return (timing.mode === 'semantic' ? timing.maxSilenceMs : timing.silenceMs) / 1000;
  }

  /**
   * Feeds audio through the segmenter. Resolves when the audio is segmented; the Redis work for
   * its events runs behind, in order, so a slow Redis never stalls audio processing.
   */
  async push(pcm16k: Int16Array, receivedAt = Date.now()): Promise<void> {
    this.arrivals.record(pcm16k.length, receivedAt);
    this.schedule(await this.segmenter.push(pcm16k));
  }

  /** Ends the open utterance and resolves once everything so far is enqueued. */
  async finalize(reason: 'finalize' | 'close'): Promise<void> {
    this.schedule(await this.segmenter.finalize(reason));
    await this.jobs.idle();
  }

  /**
   * Drops the open utterance: no final; its index is never used again. Resolves with that index
   * (undefined when no utterance was open or it had none yet).
   */
  async discard(): Promise<number | undefined> {
    const utterance = await this.segmenter.discard();
    this.waitingInterim = undefined;
    if (utterance === undefined) return undefined;
    let index: number | undefined;
    this.jobs.push(async () => {
      const revision = this.speculations.cancelled(utterance);
      index = this.open.get(utterance)?.index;
      this.open.delete(utterance);
      if (revision !== undefined) await this.cancelSpeculation(revision, index);
    });
    await this.jobs.idle();
    return index;
  }

  /**
   * When utterance `index` ended (its final enqueued, its speech over), once: its final is being
   * delivered. Undefined when this pipeline did not end it, or it was asked already.
   */
  takeFinalEnd(index: number): FinalEnd | undefined {
    return this.undelivered.take(index);
  }

  setTurnTiming(timing: TurnTiming): void {
    this.timing = timing;
    this.segmenter.setSilenceThreshold(UtterancePipeline.restingSilenceSeconds(timing));
  }

  dispose(): void {
    for (const turn of this.turns.values()) turn.stopWatching();
    this.turns.clear();
    this.segmenter.dispose();
    // Speculations of an utterance that will never end here: the workers drop them at once.
    this.jobs.push(async () => {
      for (const [utterance, revision] of this.speculations.drain()) {
        await this.cancelSpeculation(revision, this.open.get(utterance)?.index);
      }
    });
  }

  private schedule(events: SegmenterEvent[]): void {
    for (const event of events) {
      switch (event.type) {
        case 'speech-start':
          this.hooks.speechStarted?.({ utterance: event.utterance, atSec: event.atSec });
          this.jobs.push(async () => void (await this.utterance(event.utterance)));
          break;
        case 'interim':
          this.scheduleInterim(event);
          break;
        case 'speculative':
          this.waitingInterim = undefined;
          this.jobs.push(() => this.speculate(event));
          break;
        case 'speculation-cancelled':
          // Before the next audio: a lowered threshold must not end the resumed utterance.
          this.endTurnWatch(event.utterance, (index) =>
            this.hooks.turn?.({ type: 'turn', event: 'turn_resumed', index }),
          );
          this.jobs.push(async () => {
            const revision = this.speculations.cancelled(event.utterance);
            if (revision === undefined) return;
            this.deps.metrics.speculations.inc({ outcome: 'cancelled' });
            const open = this.open.get(event.utterance);
            if (open) await this.cancelSpeculation(revision, open.index);
          });
          break;
        case 'final': {
          // Snapshots of an utterance that has ended are worthless now.
          this.waitingInterim = undefined;
          if (this.timing.mode === 'semantic') {
            const eager = this.turns.get(event.utterance)?.eager === true;
            this.endTurnWatch(event.utterance);
            const trigger = event.reason === 'finalize' ? 'manual' : eager ? 'model' : 'timeout';
            // Behind the speech-start's task, which gave the utterance its index.
            this.jobs.push(() => {
              const index = this.open.get(event.utterance)?.index;
              if (index !== undefined) {
                this.hooks.turn?.({ type: 'turn', event: 'end_of_turn', index, trigger });
              }
              return Promise.resolve();
            });
          }
          const decidedAt = Date.now();
          const speechEndedAt = this.arrivals.arrivalOf(event.speechEndSec) ?? decidedAt;
          this.deps.metrics.stages.observe({ stage: 'vad' }, (decidedAt - speechEndedAt) / 1000);
          this.jobs.push(() => this.final(event, speechEndedAt));
          break;
        }
      }
    }
  }

  /**
   * At most one interim per session waits for Redis: a newer snapshot replaces a waiting one
   * (latest wins, as in the stt workers), so a slow Redis cannot build a backlog of audio.
   */
  private scheduleInterim(event: InterimEvent): void {
    if (!this.hooks.config().interim_results) return;
    if (this.deps.load.overloaded) {
      this.deps.metrics.interimsDropped.inc();
      const now = Date.now();
      if (now - this.lastWarning > WARNING_INTERVAL_MS) {
        this.lastWarning = now;
        this.hooks.send({
          type: 'warning',
          code: 'overloaded',
          message: 'transcription is behind: interim results are paused, finals will follow',
        });
      }
      return;
    }
    // Global backoff: when the stt workers are busy every session spaces its interims out.
    const factor = this.deps.load.interimIntervalFactor;
    const now = Date.now();
    if (factor > 1 && now - this.lastInterimAt < (factor - 0.5) * this.deps.interimIntervalMs) {
      this.deps.metrics.interimsBackedOff.inc();
      return;
    }
    this.lastInterimAt = now;
    const waiting = this.waitingInterim !== undefined;
    this.waitingInterim = event;
    if (waiting) return;
    this.jobs.push(async () => {
      const latest = this.waitingInterim;
      this.waitingInterim = undefined;
      if (latest) await this.interim(latest);
    });
  }

  private async utterance(number: number): Promise<OpenUtterance> {
    let open = this.open.get(number);
    if (!open) {
      open = { index: await this.deps.store.nextIndex(this.sessionId), revision: 0 };
      this.open.set(number, open);
    }
    return open;
  }

  private async interim(event: InterimEvent): Promise<void> {
    try {
      const open = await this.utterance(event.utterance);
      await this.enqueue('interim', open, event);
    } catch (error) {
      // An interim is only a preview: losing one is fine, the final carries the whole utterance.
      this.logger.warn(`Interim not enqueued for ${this.sessionId}: ${(error as Error).message}`);
    }
  }

  private async speculate(event: SpeculativeEvent): Promise<void> {
    if (!this.speculations.shouldStart(event.utterance, this.deps.load.queueDepth)) {
      if (this.deps.speculation.enabled) {
        this.deps.metrics.speculations.inc({ outcome: 'skipped_busy' });
      }
      return;
    }
    try {
      const open = await this.utterance(event.utterance);
      const revision = await this.enqueue('final', open, event, true);
      this.speculations.started(event.utterance, revision);
      this.deps.metrics.speculations.inc({ outcome: 'started' });
      if (this.timing.mode === 'semantic') {
        this.watchTurn(event.utterance, open.index, revision, event.audio);
      }
    } catch (error) {
      // Only a head start: the final is enqueued as usual when the threshold passes.
      this.logger.warn(
        `Speculation not enqueued for ${this.sessionId}: ${(error as Error).message}`,
      );
    }
  }

  /** Semantic turns: judge the speculation's text as soon as its worker offers it. */
  private watchTurn(utterance: number, index: number, revision: number, audio: Int16Array): void {
    this.turns.get(utterance)?.stopWatching();
    const stopWatching = this.deps.offers.watch(
      utteranceIdOf(this.sessionId, index),
      revision,
      (offer) =>
        void this.judgeTurn(utterance, index, revision, offer).catch((error: unknown) =>
          this.logger.warn(`Turn not judged for ${this.sessionId}: ${String(error)}`),
        ),
    );
    // The audio model hears the same audio while the worker decodes it.
    const audioSignal = this.deps.turnAudio?.signal;
    const probability = audioSignal?.probability(audio).catch((error: unknown) => {
      this.logger.warn(`Audio turn model failed for ${this.sessionId}: ${String(error)}`);
      return undefined;
    });
    this.turns.set(utterance, { eager: false, stopWatching, audio: probability });
  }

  private async judgeTurn(
    utterance: number,
    index: number,
    revision: number,
    offer: SpeculationOffer,
  ): Promise<void> {
    const probability = await this.turns.get(utterance)?.audio;
    const turn = this.turns.get(utterance);
    // Speech came back, or the utterance ended, before the offer (or the audio model) answered.
    if (!turn || this.speculations.pending(utterance) !== revision) return;
    const judgement = judgeTurnWithAudio(
      { text: offer.text, language: offer.language, confidence: offer.confidence },
      { minConfidence: this.deps.turnMinConfidence },
      probability,
      this.deps.turnAudio?.threshold ?? 0.5,
    );
    if (judgement.verdict !== 'complete') return;
    turn.eager = true;
    this.hooks.turn?.({ type: 'turn', event: 'eager_end_of_turn', index, text: offer.text });
    this.segmenter.setSilenceThreshold(this.timing.minSilenceMs / 1000);
    // The silence may already be long enough: end the turn now, not at the next audio chunk.
    this.segmenter.endIfSilent().then(
      (events) => this.schedule(events),
      (error: unknown) =>
        this.logger.warn(`Turn not ended for ${this.sessionId}: ${String(error)}`),
    );
  }

  /** The utterance's turn watch ends; a lowered threshold goes back up. */
  private endTurnWatch(utterance: number, wasEager?: (index: number) => void): void {
    const turn = this.turns.get(utterance);
    if (!turn) return;
    turn.stopWatching();
    this.turns.delete(utterance);
    if (!turn.eager) return;
    this.segmenter.setSilenceThreshold(UtterancePipeline.restingSilenceSeconds(this.timing));
    const index = this.open.get(utterance)?.index;
    if (index !== undefined) wasEager?.(index);
  }

  /** Tells the workers never to deliver this speculation (best effort: it expires otherwise). */
  private async cancelSpeculation(revision: number, index?: number): Promise<void> {
    if (index === undefined) return;
    try {
      await this.deps.verdicts.decide(
        this.sessionId,
        utteranceIdOf(this.sessionId, index),
        revision,
        { kind: 'cancel' },
      );
    } catch (error) {
      this.logger.warn(`Speculation not cancelled for ${this.sessionId}: ${String(error)}`);
    }
  }

  private async final(event: FinalEvent, speechEndedAt: number): Promise<void> {
    let index: number | undefined;
    try {
      const open = await this.utterance(event.utterance);
      index = open.index;
      this.open.delete(event.utterance);
      this.hooks.utteranceEnded?.({
        utterance: event.utterance,
        index,
        reason: event.reason,
        startSec: event.startSec,
        endSec: event.endSec,
        speechStartSec: event.speechStartSec,
        speechEndSec: event.speechEndSec,
      });
      this.undelivered.record(open.index, { at: Date.now(), speechEndedAt });
      const plan = this.speculations.final(event.utterance, event.speculated === true);
      if (plan.kind === 'confirm') {
        await this.confirmSpeculation(open, plan.revision);
        return;
      }
      if (plan.cancel !== undefined) {
        this.deps.metrics.speculations.inc({ outcome: 'cancelled' });
        await this.cancelSpeculation(plan.cancel, open.index);
      }
      await this.enqueue('final', open, event);
    } catch (error) {
      this.logger.error(`Final not enqueued for ${this.sessionId}: ${(error as Error).message}`);
      const message = `could not queue the utterance ${event.startSec.toFixed(2)}-${event.endSec.toFixed(2)} s for transcription; resend it`;
      if (index !== undefined) {
        // In the result stream it takes the final's place in order (and survives a resume).
        const utteranceId = utteranceIdOf(this.sessionId, index);
        try {
          await this.deps.results.append(
            this.sessionId,
            { type: 'error', code: 'enqueue_failed', message, utteranceId, index, retryable: true },
            // The stt worker's dedupe id: if the job did get queued, only one outcome is written.
            finalResultId(utteranceId),
          );
          return;
        } catch {
          // Redis is away altogether: tell the client directly.
        }
      }
      this.hooks.send({ type: 'error', code: 'enqueue_failed', message, retryable: true });
    }
  }

  /**
   * The threshold passed with the speculation's audio: the final is owed from here on (delivery
   * waits for it). If the worker already offered the speculation's result, confirming appends it
   * to the results; otherwise the worker writes it once it learns the verdict.
   */
  private async confirmSpeculation(open: OpenUtterance, revision: number): Promise<void> {
    const config = this.hooks.config();
    this.hooks.expectFinal(open.index, config.targets);
    const utteranceId = utteranceIdOf(this.sessionId, open.index);
    // Issued together: on the one Redis connection the owed final is recorded before the verdict
    // that lets a worker write it, without waiting a round trip in between.
    const [, verdict] = await Promise.all([
      this.deps.store.expectFinal(this.sessionId, open.index),
      this.deps.verdicts.decide(this.sessionId, utteranceId, revision, {
        kind: 'confirm',
        at: Date.now(),
      }),
    ]);
    if (verdict.kind !== 'confirm') {
      throw new Error(`speculation ${utteranceId}:${revision} was already cancelled`);
    }
    this.deps.metrics.speculations.inc({ outcome: 'confirmed' });
  }

  /** Resolves with the revision enqueued. A speculative final is not owed yet: no expectFinal. */
  private async enqueue(
    kind: UtteranceKind,
    open: OpenUtterance,
    event: {
      audio: Int16Array;
      startSec: number;
      endSec: number;
      speechStartSec?: number;
      speechEndSec?: number;
    },
    speculative = false,
  ): Promise<number> {
    const config = this.hooks.config();
    const revision = ++open.revision;
    const utteranceId = utteranceIdOf(this.sessionId, open.index);
    const audioKey = this.deps.audio.keyFor(utteranceId, revision);
    const { audio } = event;
    const owed = kind === 'final' && !speculative;
    // All three must be in Redis before the job is; they do not depend on each other, so they
    // go out together (one round trip instead of three).
    await Promise.all([
      this.deps.audio.put(audioKey, Buffer.from(audio.buffer, audio.byteOffset, audio.byteLength)),
      this.deps.revisions.mark(utteranceId, revision),
      owed ? this.deps.store.expectFinal(this.sessionId, open.index) : undefined,
    ]);
    if (owed) this.hooks.expectFinal(open.index, config.targets);
    const now = Date.now();
    const job: SttJob = {
      sessionId: this.sessionId,
      utteranceId,
      index: open.index,
      kind,
      revision,
      audioKey,
      sampleRate: PIPELINE_SAMPLE_RATE,
      startSec: event.startSec,
      endSec: event.endSec,
      ...(kind === 'final' && event.speechStartSec !== undefined
        ? { speechStartSec: event.speechStartSec, speechEndSec: event.speechEndSec }
        : {}),
      language: config.source,
      task: config.task,
      targets: config.targets,
      interimTranslations: config.interim_translations,
      enqueuedAt: now,
      utteranceEndedAt: owed ? now : undefined,
      ...(speculative ? { speculative: true } : {}),
    };
    await this.deps.queues.add(QueueName.Stt, kind, job, {
      jobId: sttJobId(utteranceId, revision),
      priority: JOB_PRIORITY[kind],
    });
    return revision;
  }
}
