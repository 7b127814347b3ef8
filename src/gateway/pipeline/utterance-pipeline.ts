import { Logger } from '@nestjs/common';
import { JOB_PRIORITY } from '../../common/queues/job-defaults';
import { SttJob, UtteranceKind } from '../../common/queues/job-payloads';
import { QueueName } from '../../common/queues/queue-names';
import { QueueService } from '../../common/queues/queue.service';
import { AudioStoreService } from '../../common/results/audio-store.service';
import { ResultStreamService } from '../../common/results/result-stream.service';
import { UtteranceRevisionsService } from '../../common/results/utterance-revisions.service';
import { SessionConfig } from '../protocol/session-config';
import { ServerFrame } from '../protocol/server-messages';
import { SessionStoreService } from '../session/session-store.service';
import { GatewayMetrics } from '../gateway-metrics.service';
import { LoadMonitorService } from './load-monitor.service';
import { Segmenter, SegmenterEvent } from './segmenter.port';

export interface PipelineDeps {
  store: SessionStoreService;
  audio: AudioStoreService;
  results: ResultStreamService;
  revisions: UtteranceRevisionsService;
  queues: QueueService;
  load: LoadMonitorService;
  metrics: GatewayMetrics;
}

export interface PipelineHooks {
  config(): SessionConfig;
  send(frame: ServerFrame): void;
  /** The final of `index` is about to be enqueued (delivery must wait for it). */
  expectFinal(index: number, targets: string[]): void;
}

type InterimEvent = Extract<SegmenterEvent, { type: 'interim' }>;

interface OpenUtterance {
  index: number;
  revision: number;
}

/** Utterance end times kept for the delivery-latency metric. */
const MAX_TRACKED_ENDS = 256;

/** Warn about dropped interims at most this often per session. */
const WARNING_INTERVAL_MS = 5000;

/**
 * One session's path from segmenter events to stt jobs: audio into Redis, the revision marked,
 * then the job enqueued (finals first in the queue). Finals are never dropped silently.
 */
export class UtterancePipeline {
  private readonly logger = new Logger('UtterancePipeline');
  private readonly open = new Map<number, OpenUtterance>();
  private lastWarning = 0;
  private jobs: Promise<void> = Promise.resolve();
  private waitingInterim: InterimEvent | undefined;
  /** Utterance index -> epoch ms its final was enqueued (for delivery latency). */
  readonly endedAt = new Map<number, number>();

  constructor(
    private readonly sessionId: string,
    private readonly segmenter: Segmenter,
    private readonly deps: PipelineDeps,
    private readonly hooks: PipelineHooks,
  ) {}

  /**
   * Feeds audio through the segmenter. Resolves when the audio is segmented; the Redis work for
   * its events runs behind, in order, so a slow Redis never stalls audio processing.
   */
  async push(pcm16k: Int16Array): Promise<void> {
    this.schedule(await this.segmenter.push(pcm16k));
  }

  /** Ends the open utterance and resolves once everything so far is enqueued. */
  async finalize(reason: 'finalize' | 'close'): Promise<void> {
    this.schedule(await this.segmenter.finalize(reason));
    await this.jobs;
  }

  dispose(): void {
    this.segmenter.dispose();
  }

  private run(task: () => Promise<void>): void {
    this.jobs = this.jobs.then(task).catch((error: unknown) => {
      this.logger.error(`Pipeline task failed for ${this.sessionId}: ${String(error)}`);
    });
  }

  private schedule(events: SegmenterEvent[]): void {
    for (const event of events) {
      switch (event.type) {
        case 'speech-start':
          this.run(async () => void (await this.utterance(event.utterance)));
          break;
        case 'interim':
          this.scheduleInterim(event);
          break;
        case 'final':
          // Snapshots of an utterance that has ended are worthless now.
          this.waitingInterim = undefined;
          this.run(() => this.final(event));
          break;
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
    const waiting = this.waitingInterim !== undefined;
    this.waitingInterim = event;
    if (waiting) return;
    this.run(async () => {
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

  private async final(event: Extract<SegmenterEvent, { type: 'final' }>): Promise<void> {
    let index: number | undefined;
    try {
      const open = await this.utterance(event.utterance);
      index = open.index;
      this.open.delete(event.utterance);
      this.endedAt.set(open.index, Date.now());
      // Utterances without speech or with an error are never delivered as finals: keep the map
      // bounded (oldest first) so it cannot grow with session length.
      if (this.endedAt.size > MAX_TRACKED_ENDS) {
        this.endedAt.delete(this.endedAt.keys().next().value!);
      }
      await this.enqueue('final', open, event);
    } catch (error) {
      this.logger.error(`Final not enqueued for ${this.sessionId}: ${(error as Error).message}`);
      const message = `could not queue the utterance ${event.startSec.toFixed(2)}-${event.endSec.toFixed(2)} s for transcription; resend it`;
      if (index !== undefined) {
        // In the result stream it takes the final's place in order (and survives a resume).
        const utteranceId = `${this.sessionId}:${index}`;
        try {
          await this.deps.results.append(
            this.sessionId,
            { type: 'error', code: 'enqueue_failed', message, utteranceId, index, retryable: true },
            // The stt worker's dedupe id: if the job did get queued, only one outcome is written.
            `final:${utteranceId}`,
          );
          return;
        } catch {
          // Redis is away altogether: tell the client directly.
        }
      }
      this.hooks.send({ type: 'error', code: 'enqueue_failed', message, retryable: true });
    }
  }

  private async enqueue(
    kind: UtteranceKind,
    open: OpenUtterance,
    event: { audio: Int16Array; startSec: number; endSec: number },
  ): Promise<void> {
    const config = this.hooks.config();
    const revision = ++open.revision;
    const utteranceId = `${this.sessionId}:${open.index}`;
    const audioKey = this.deps.audio.keyFor(utteranceId, revision);
    const { audio } = event;
    // All three must be in Redis before the job is; they do not depend on each other, so they
    // go out together (one round trip instead of three).
    await Promise.all([
      this.deps.audio.put(audioKey, Buffer.from(audio.buffer, audio.byteOffset, audio.byteLength)),
      this.deps.revisions.mark(utteranceId, revision),
      kind === 'final' ? this.deps.store.expectFinal(this.sessionId, open.index) : undefined,
    ]);
    if (kind === 'final') this.hooks.expectFinal(open.index, config.targets);
    const now = Date.now();
    const job: SttJob = {
      sessionId: this.sessionId,
      utteranceId,
      index: open.index,
      kind,
      revision,
      audioKey,
      sampleRate: 16000,
      startSec: event.startSec,
      endSec: event.endSec,
      language: config.source,
      task: config.task,
      targets: config.targets,
      interimTranslations: config.interim_translations,
      enqueuedAt: now,
      utteranceEndedAt: kind === 'final' ? now : undefined,
    };
    await this.deps.queues.add(QueueName.Stt, kind, job, {
      jobId: `${utteranceId}:${revision}`,
      priority: JOB_PRIORITY[kind],
    });
  }
}
