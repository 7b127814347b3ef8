import { Inject, Injectable, Logger } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { JOB_PRIORITY } from '../common/queues/job-defaults';
import { SttJob } from '../contracts/job-payloads';
import { QueueService } from '../common/queues/queue.service';
import { QueueName } from '../contracts/queue-names';
import { AudioStoreService } from '../utterance/audio-store.service';
import { ErrorResult, FinalResult, InterimResult } from '../contracts/result-messages';
import { ResultStreamService } from '../utterance/result-stream.service';
import { SpeculationVerdictsService } from '../utterance/speculation-verdicts.service';
import { UtteranceRevisionsService } from '../utterance/utterance-revisions.service';
import { BadAudioError, pcm16ToFloat32 } from './audio/pcm';
import { InferenceNotWanted } from './engine/whisper-engine';
import { InterimAgreementService } from './interim-agreement.service';
import { SessionContextService } from './session-context.service';
import { skipAsStale } from './interim-policy';
import { invalidSttJob } from './stt-job.validation';
import { settleSpeculation } from '../utterance/speculation-settlement';
import { meanProbability } from '../utterance/speculation-offers.service';
import { SttMetrics } from './stt.metrics';
import { SttTranscriberService, Transcription } from './stt-transcriber.service';
import {
  agree,
  AgreementState,
  HypothesisWord,
  mergeTail,
  tailStart,
  wordsText,
} from './text/local-agreement';
import { finalResultId, interimResultId, translationJobId } from '../contracts/utterance-ids';
import { PIPELINE_SAMPLE_RATE } from '../audio/pipeline-rate';

export type SttJobOutcome =
  | { status: 'skipped_stale' }
  /** A speculative final that was cancelled (before or after inference) or never confirmed. */
  | { status: 'speculation_dropped' }
  | { status: 'done'; text: string; inferred: boolean }
  | { status: 'duplicate' };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * One stt job from pick-up to result: stale interims are skipped before any inference, finals
 * always produce exactly one message for their utterance (a `final`, possibly with empty text,
 * or an `error` for bad audio), finals with targets go on to the translation queue.
 *
 * A speculative final (started before the silence threshold passed) is skipped if the gateway
 * already cancelled it; once computed it waits for the gateway's verdict and is written as the
 * final only when confirmed: a cancelled or unconfirmed speculation is never delivered.
 */
@Injectable()
export class SttJobService {
  private readonly logger = new Logger('SttJobs');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly transcriber: SttTranscriberService,
    private readonly audio: AudioStoreService,
    private readonly results: ResultStreamService,
    private readonly revisions: UtteranceRevisionsService,
    private readonly context: SessionContextService,
    private readonly queues: QueueService,
    private readonly metrics: SttMetrics,
    private readonly verdicts: SpeculationVerdictsService,
    private readonly agreement: InterimAgreementService,
  ) {}

  /** How long a computed speculation waits for the gateway's verdict before it is dropped. */
  private get verdictTimeoutMs(): number {
    return this.config.vad.silenceThresholdSeconds * 1000 + 10_000;
  }

  private async dropSpeculation(
    data: SttJob,
    outcome: 'cancelled_before_start' | 'wasted' | 'expired',
  ): Promise<SttJobOutcome> {
    this.metrics.speculation(outcome);
    await this.audio.delete(data.audioKey);
    return { status: 'speculation_dropped' };
  }

  /** Validate, load, transcribe, write: each step may end the job early with its outcome. */
  async handle(
    job: Pick<Job<SttJob>, 'data' | 'id' | 'attemptsMade' | 'opts'>,
  ): Promise<SttJobOutcome> {
    const pickedAt = Date.now();
    const data = await this.validate(job);
    const unwanted = await this.unwanted(data);
    if (unwanted) return unwanted;
    const samples = await this.load(data);
    const transcribed = await this.transcribe(job, data, samples);
    if ('status' in transcribed) return transcribed;
    const { transcription, agreed } = transcribed;
    if (transcription.inferred) {
      this.metrics.inference(data.kind, transcription.sttMs, transcription.audioSeconds);
    }
    return this.write(data, transcription, agreed, pickedAt);
  }

  /** A payload that is not an stt job: its final still gets an error, and it is never retried. */
  private async validate(job: Pick<Job<SttJob>, 'data' | 'id'>): Promise<SttJob> {
    const invalid = invalidSttJob(job.data);
    if (invalid) {
      await this.reportBadPayload(job.data, `invalid stt job: ${invalid}`);
      throw new UnrecoverableError(`invalid stt job ${job.id ?? '?'}: ${invalid}`);
    }
    return job.data;
  }

  /** A cancelled speculation or a superseded interim is not worth an inference. */
  private async unwanted(data: SttJob): Promise<SttJobOutcome | undefined> {
    if (data.speculative) {
      const verdict = await this.verdicts.read(data.utteranceId, data.revision);
      if (verdict?.kind === 'cancel') return this.dropSpeculation(data, 'cancelled_before_start');
    }
    if (data.kind === 'interim') {
      // Latest wins: a newer snapshot or the final makes this one worthless, and a short wait
      // (BATCH_TIMEOUT_MS, with MAX_BATCH_SIZE > 1) lets a newer one arrive before we spend on it.
      if (this.config.stt.maxBatchSize > 1 && this.config.stt.batchTimeoutMs > 0) {
        await sleep(this.config.stt.batchTimeoutMs);
      }
      if (!(await this.interimStillWanted(data))) return this.skipStaleInterim(data);
    }
    return undefined;
  }

  /** The job's audio as samples; unusable audio ends the job with an error for its final. */
  private async load(data: SttJob): Promise<Float32Array> {
    try {
      return pcm16ToFloat32(await this.audio.get(data.audioKey));
    } catch (error) {
      if (!(error instanceof BadAudioError)) throw error;
      this.metrics.badAudio(data.kind);
      await this.reportBadPayload(data, error.message);
      await this.audio.delete(data.audioKey);
      throw new UnrecoverableError(`bad audio in ${data.utteranceId}: ${error.message}`);
    }
  }

  private async transcribe(
    job: Pick<Job<SttJob>, 'attemptsMade' | 'opts'>,
    data: SttJob,
    samples: Float32Array,
  ): Promise<{ transcription: Transcription; agreed?: AgreementState } | SttJobOutcome> {
    const previousText = data.prompt ?? (await this.context.previousText(data.sessionId));
    try {
      if (data.kind === 'interim') {
        try {
          const [transcription, agreed] = await this.interimTail(data, samples, previousText);
          return { transcription, agreed };
        } catch (error) {
          // Superseded while it waited for a whisper context.
          if (error instanceof InferenceNotWanted) return this.skipStaleInterim(data);
          throw error;
        }
      }
      const transcription = await this.transcriber.transcribe({
        samples,
        kind: data.kind,
        language: data.language,
        task: data.task,
        previousText,
        offsetSec: data.startSec,
        ...(data.wordTimings ? { wordTimings: true } : {}),
        ...(data.segmentDetail ? { segmentDetail: true } : {}),
        ...(data.temperature ? { temperature: data.temperature } : {}),
        ...(data.upload ? { background: true } : {}),
      });
      return { transcription };
    } catch (error) {
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const dropped = await this.failed(data, error, lastAttempt);
      if (dropped) return dropped;
      throw error;
    }
  }

  /**
   * A final still owes its utterance one message: after the last attempt, an error. A
   * speculation owes one only once confirmed; a cancelled one is not worth a retry.
   */
  private async failed(
    data: SttJob,
    error: unknown,
    lastAttempt: boolean,
  ): Promise<SttJobOutcome | undefined> {
    if (data.speculative) {
      const verdict = lastAttempt
        ? await this.verdicts.wait(data.utteranceId, data.revision, this.verdictTimeoutMs)
        : await this.verdicts.read(data.utteranceId, data.revision);
      if (verdict?.kind === 'cancel') return this.dropSpeculation(data, 'wasted');
      if (lastAttempt && verdict?.kind === 'confirm') await this.reportSttFailure(data, error);
    } else if (data.kind === 'final' && lastAttempt) {
      await this.reportSttFailure(data, error);
    }
    return undefined;
  }

  private async write(
    data: SttJob,
    transcription: Transcription,
    agreed: AgreementState | undefined,
    pickedAt: number,
  ): Promise<SttJobOutcome> {
    if (data.speculative) return this.settleSpeculation(data, transcription, pickedAt);
    const written =
      data.kind === 'final'
        ? await this.writeFinal(data, transcription, pickedAt)
        : await this.writeInterim(data, transcription, agreed);
    return this.finished(data, transcription, written);
  }

  /** The job's audio is no longer needed; `written` false: a retry found its result written. */
  private async finished(
    data: SttJob,
    transcription: Transcription,
    written: boolean,
  ): Promise<SttJobOutcome> {
    await this.audio.delete(data.audioKey);
    return written
      ? { status: 'done', text: transcription.text, inferred: transcription.inferred }
      : { status: 'duplicate' };
  }

  /**
   * A computed speculation is offered to the gateway (which appends it the moment it confirms,
   * without waiting for this worker), then waits for the verdict. Confirmed: the final is written
   * here unless the gateway's confirm already appended it; either way its translations and the
   * session's context follow from here. Cancelled or never decided: it is dropped.
   */
  private async settleSpeculation(
    data: SttJob,
    transcription: Transcription,
    pickedAt: number,
  ): Promise<SttJobOutcome> {
    const { utteranceId, revision } = data;
    // Ready before the threshold passed: nothing of its delivery is this worker's latency.
    const offered = this.finalMessage(
      { ...data, utteranceEndedAt: Date.now() },
      transcription,
      pickedAt,
    );
    const confidence = meanProbability(transcription.words);
    await this.verdicts.offer(JSON.stringify(offered), {
      utteranceId,
      revision,
      text: transcription.text,
      language: transcription.language,
      ...(confidence !== undefined ? { confidence } : {}),
    });
    const waited = await this.verdicts.wait(utteranceId, revision, this.verdictTimeoutMs);
    const withdrawn = await this.verdicts.withdraw(utteranceId, revision);
    // Gone before it was withdrawn: a verdict came in meanwhile and took it (confirm) or dropped it.
    const verdict = waited ?? (withdrawn ? null : await this.verdicts.read(utteranceId, revision));
    const settled = settleSpeculation({ verdict, withdrawn });
    if (settled.action === 'drop') return this.dropSpeculation(data, settled.why);
    this.metrics.speculation('confirmed');
    if (settled.action === 'follow_gateway_append') {
      this.metrics.speculativeFinal('gateway');
      this.metrics.final(offered.latency, transcription.text ? 'text' : 'no_speech', data.upload);
      await this.afterFinal(data, transcription);
      return this.finished(data, transcription, true);
    }
    this.metrics.speculativeFinal('worker');
    // The utterance ended when the threshold passed, not when the speculation started.
    const final = { ...data, utteranceEndedAt: settled.verdict.at };
    return this.finished(
      data,
      transcription,
      await this.writeFinal(final, transcription, pickedAt),
    );
  }

  private finalMessage(data: SttJob, t: Transcription, pickedAt: number): FinalResult {
    const now = Date.now();
    return {
      type: 'final',
      utteranceId: data.utteranceId,
      index: data.index,
      text: t.text,
      language: t.language,
      ...(t.languageProbability !== undefined
        ? { languageProbability: Math.round(t.languageProbability * 1000) / 1000 }
        : {}),
      start: data.startSec,
      end: data.endSec,
      ...(data.speechStartSec !== undefined ? { speechStart: data.speechStartSec } : {}),
      ...(data.speechEndSec !== undefined ? { speechEnd: data.speechEndSec } : {}),
      words: t.words,
      ...(t.segments ? { segments: t.segments } : {}),
      latency: {
        queueMs: Math.max(0, pickedAt - data.enqueuedAt),
        sttMs: Math.round(t.sttMs),
        totalMs: Math.max(0, now - (data.utteranceEndedAt ?? data.enqueuedAt)),
      },
      worker: this.config.queues.workerId,
    };
  }

  private async writeFinal(data: SttJob, t: Transcription, pickedAt: number): Promise<boolean> {
    const message = this.finalMessage(data, t, pickedAt);
    const id = await this.results.append(data.sessionId, message, finalResultId(data.utteranceId));
    if (id !== null)
      this.metrics.final(message.latency, t.text ? 'text' : 'no_speech', data.upload);
    // Also after a duplicate write: the first attempt may have died before enqueueing.
    await this.afterFinal(data, t);
    return id !== null;
  }

  /** What follows a final in the stream: its context for the next utterance, its translations. */
  private async afterFinal(data: SttJob, t: Transcription): Promise<void> {
    await this.agreement.forget(data.utteranceId);
    if (t.text) {
      await this.context.remember(data.sessionId, t.text);
      if (data.targets.length > 0) await this.enqueueTranslation(data, t, 'final');
    }
  }

  /**
   * An interim decodes only the audio after the words already committed for its utterance, with
   * those words as prompt, then commits what it and the previous interim agree on
   * (LocalAgreement-2). Its text is committed + tentative.
   */
  private async interimTail(
    data: SttJob,
    samples: Float32Array,
    previousText: string | null,
  ): Promise<[Transcription, AgreementState]> {
    const state = await this.agreement.load(data.utteranceId);
    const from = tailStart(state, samples.length / PIPELINE_SAMPLE_RATE);
    const committedText = wordsText(state.committed);
    const t = await this.transcriber.transcribe({
      samples: samples.subarray(Math.round(from * PIPELINE_SAMPLE_RATE)),
      kind: 'interim',
      language: data.language,
      task: data.task,
      previousText: [previousText ?? '', committedText].join(' ').trim(),
      offsetSec: 0,
      wordTimings: true,
      stillWanted: () => this.interimStillWanted(data),
    });
    const tail: HypothesisWord[] = t.words.map((w) => ({
      word: w.word,
      start: w.start,
      end: w.end,
    }));
    const next = agree(state, mergeTail(state, tail, from), data.revision);
    // A newer interim may have saved first: then this one's agreement is not recorded.
    await this.agreement.save(data.utteranceId, next);
    const text = [wordsText(next.committed), wordsText(next.tentative)].join(' ').trim();
    return [{ ...t, text, words: [] }, next];
  }

  /** Latest wins: a newer snapshot of the utterance or its final makes this interim worthless. */
  private async interimStillWanted(data: SttJob): Promise<boolean> {
    return !skipAsStale(data.kind, data.revision, await this.revisions.latest(data.utteranceId));
  }

  private async skipStaleInterim(data: SttJob): Promise<SttJobOutcome> {
    this.metrics.interim('skipped_stale');
    await this.audio.delete(data.audioKey);
    return { status: 'skipped_stale' };
  }

  private async writeInterim(
    data: SttJob,
    t: Transcription,
    agreed?: AgreementState,
  ): Promise<boolean> {
    this.metrics.interim('computed');
    const message: InterimResult = {
      type: 'interim',
      utteranceId: data.utteranceId,
      index: data.index,
      revision: data.revision,
      text: t.text,
      ...(agreed
        ? { committed: wordsText(agreed.committed), tentative: wordsText(agreed.tentative) }
        : {}),
      language: t.language,
      worker: this.config.queues.workerId,
    };
    const id = await this.results.append(
      data.sessionId,
      message,
      interimResultId(data.utteranceId, data.revision),
    );
    if (t.text && data.interimTranslations && data.targets.length > 0) {
      await this.enqueueTranslation(data, t, 'interim');
    }
    return id !== null;
  }

  /** BullMQ accepts a custom id with ':' only in three parts: `${sessionId}:${index}:<what>`. */
  private async enqueueTranslation(
    data: SttJob,
    t: Transcription,
    kind: 'final' | 'interim',
  ): Promise<void> {
    const source =
      data.task === 'translate' ? 'en' : data.language === 'auto' ? t.language : data.language;
    await this.queues.add(
      QueueName.Translation,
      kind,
      {
        sessionId: data.sessionId,
        utteranceId: data.utteranceId,
        index: data.index,
        kind,
        revision: data.revision,
        text: t.text,
        source,
        targets: data.targets,
        enqueuedAt: Date.now(),
      },
      {
        jobId: translationJobId(data.utteranceId, kind, data.revision),
        priority: JOB_PRIORITY[kind],
      },
    );
  }

  private async reportSttFailure(data: SttJob, error: unknown): Promise<void> {
    const message: ErrorResult = {
      type: 'error',
      code: 'stt_failed',
      message: `transcription failed: ${error instanceof Error ? error.message : String(error)}`,
      utteranceId: data.utteranceId,
      index: data.index,
      retryable: false,
    };
    await this.results.append(data.sessionId, message, finalResultId(data.utteranceId));
    await this.audio.delete(data.audioKey);
  }

  /** A final with unusable audio still gets one message for its utterance: an `error`. */
  private async reportBadPayload(data: Partial<SttJob> | undefined, reason: string): Promise<void> {
    this.logger.warn(`Rejected stt job for ${data?.utteranceId ?? 'unknown utterance'}: ${reason}`);
    if (data?.kind !== 'final' || typeof data.sessionId !== 'string' || !data.utteranceId) return;
    const message: ErrorResult = {
      type: 'error',
      code: 'bad_audio',
      message: reason,
      utteranceId: data.utteranceId,
      ...(typeof data.index === 'number' ? { index: data.index } : {}),
      retryable: false,
    };
    await this.results.append(data.sessionId, message, finalResultId(data.utteranceId));
  }
}
