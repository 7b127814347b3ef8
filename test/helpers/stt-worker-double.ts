import { type Job, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { type SttJob } from 'src/contracts/job-payloads';
import { QueueName } from 'src/contracts/queue-names';
import { type QueueService } from 'src/common/queues/queue.service';
import { RedisKeys } from 'src/common/redis/redis-keys';
import { type ResultStreamService } from 'src/utterance/result-stream.service';
import { type AudioStoreService } from 'src/utterance/audio-store.service';
import {
  type FinalResult,
  type ResultMessage,
  type WordTiming,
} from 'src/contracts/result-messages';
import { parseVerdict } from 'src/contracts/speculation-verdict';
import { REDIS_URL } from './test-env';

export interface SttWorkerDoubleOptions {
  /** Text of a final (default `utterance <index>`); '' means "no speech". */
  finalText?: (job: SttJob) => string;
  /** Delay before the result is written (ms). */
  delayMs?: (job: SttJob) => number;
  /** Give finals word timings: the text's words spread evenly over the speech, probability 0.9. */
  words?: boolean;
  /** Replace the final with an ErrorResult. */
  failFinal?: (job: SttJob) => boolean;
  /** Also write a final translation per target (`<lang>: <text>`), as the translation role would. */
  translate?: boolean;
  /**
   * Enqueue a translation job per final instead, for a real translation role (as the stt role
   * does): the app's QueueService.
   */
  translationQueue?: QueueService;
  concurrency?: number;
  /** Jobs of uploaded files in hand at once (the stt role's upload queue); default 1. */
  uploadConcurrency?: number;
  /**
   * Interims as LocalAgreement-2 workers write them: the final's text with its first `revision`
   * words committed (never its last word), the rest tentative.
   */
  committedInterims?: boolean;
}

/** An interim of `text` at `revision`: its settled first words and the rest. */
function agreedInterim(text: string, revision: number) {
  const words = text.split(' ');
  const settled = Math.min(revision, words.length - 1);
  const committed = words.slice(0, settled).join(' ');
  const tentative = words.slice(settled).join(' ');
  return { text: [committed, tentative].filter(Boolean).join(' '), committed, tentative };
}

function spreadWords(text: string, start: number, end: number): WordTiming[] {
  const words = text.split(/\s+/).filter((word) => word !== '');
  const step = (end - start) / Math.max(1, words.length);
  return words.map((word, i) => ({
    word: ` ${word}`,
    start: start + i * step,
    end: start + (i + 1) * step,
    probability: 0.9,
  }));
}

/**
 * Stands in for the stt (and translation) role in gateway tests: a real BullMQ worker on the stt
 * queue that writes results to the session's real result stream. Its words are made up from the
 * job, so tests can check which utterance each result belongs to.
 *
 * Speculative finals are honoured as the stt role does: offered before the gateway's verdict (a
 * confirm appends the offer itself: `appendedByGateway`), written here only when confirmed before
 * the offer; cancelled ones go to `dropped` instead of `jobs`.
 */
export class SttWorkerDouble {
  readonly jobs: SttJob[] = [];
  readonly dropped: SttJob[] = [];
  /** Speculations whose final was offered (waiting for the verdict, or past it). */
  readonly offered: SttJob[] = [];
  /** Confirmed speculations whose final the gateway's confirm appended. */
  readonly appendedByGateway: SttJob[] = [];
  private readonly redis: Redis;
  readonly audioSeconds = new Map<string, number>();
  private readonly worker: Worker<SttJob>;
  private readonly uploadWorker: Worker<SttJob>;

  constructor(
    prefix: string,
    private readonly results: ResultStreamService,
    private readonly audio: AudioStoreService,
    private readonly options: SttWorkerDoubleOptions = {},
  ) {
    this.redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    this.keys = new RedisKeys(prefix);
    const url = new URL(REDIS_URL);
    const connection = {
      host: url.hostname,
      port: Number(url.port || 6379),
      maxRetriesPerRequest: null,
    };
    this.worker = new Worker<SttJob>(QueueName.Stt, (job) => this.handle(job), {
      connection,
      prefix,
      concurrency: options.concurrency ?? 8,
    });
    this.uploadWorker = new Worker<SttJob>(QueueName.SttUpload, (job) => this.handle(job), {
      connection,
      prefix,
      concurrency: options.uploadConcurrency ?? 1,
    });
  }

  private readonly keys: RedisKeys;

  /** Polls for the gateway's verdict on a speculation (confirmed or not). */
  private async confirmed(data: SttJob): Promise<boolean> {
    const key = this.keys.speculationVerdict(data.utteranceId, data.revision);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const verdict = parseVerdict(await this.redis.get(key));
      if (verdict) return verdict.kind === 'confirm';
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return false;
  }

  /**
   * As the stt role does with a computed speculation: offers its final (the gateway's confirm
   * appends it), waits for the verdict, then withdraws the offer. `gateway`: the confirm appended
   * it; `worker`: the confirm came first, the final is ours to write; `dropped`: not confirmed.
   */
  private async offer(data: SttJob, final: FinalResult): Promise<'gateway' | 'worker' | 'dropped'> {
    const ready = this.keys.speculationReady(data.utteranceId, data.revision);
    await this.redis.set(ready, JSON.stringify(final), 'EX', 60);
    // Its text for the gateway's turn judge, as the stt role announces it.
    await this.redis.publish(
      this.keys.speculationOffersChannel(),
      JSON.stringify({
        utteranceId: data.utteranceId,
        revision: data.revision,
        text: final.text,
        language: final.language,
      }),
    );
    this.offered.push(data);
    const confirmed = await this.confirmed(data);
    const withdrawn = (await this.redis.del(ready)) === 1;
    if (!confirmed) return 'dropped';
    return withdrawn ? 'worker' : 'gateway';
  }

  private async handle(job: Job<SttJob>): Promise<void> {
    const data = job.data;
    // A speculation offers its final before the verdict; one that fails waits for it first (the
    // stt role writes its error only once the speculation is confirmed).
    const offers = data.speculative === true && !this.options.failFinal?.(data);
    if (data.speculative && !offers && !(await this.confirmed(data))) {
      this.dropped.push(data);
      return;
    }
    if (!offers) this.jobs.push(data);
    const pcm = await this.audio.get(data.audioKey);
    if (!pcm) throw new Error(`audio ${data.audioKey} missing`);
    this.audioSeconds.set(`${data.utteranceId}:${data.revision}`, pcm.length / 2 / 16000);
    const delay = this.options.delayMs?.(data) ?? 0;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    const text = this.options.finalText?.(data) ?? `utterance ${data.index}`;
    const language = data.language === 'auto' ? 'en' : data.language;
    if (data.kind === 'interim') {
      await this.write(data, {
        type: 'interim',
        utteranceId: data.utteranceId,
        index: data.index,
        revision: data.revision,
        ...(this.options.committedInterims
          ? agreedInterim(text, data.revision)
          : { text: `${text} (interim ${data.revision})` }),
        language,
        worker: 'stt-double',
      });
      if (this.options.translate && data.interimTranslations && data.targets.length > 0) {
        await this.write(data, {
          type: 'translation',
          utteranceId: data.utteranceId,
          index: data.index,
          kind: 'interim',
          language: data.targets[0],
          source: language,
          text: `${data.targets[0]}: ${text} (interim ${data.revision})`,
          passthrough: false,
          engine: 'double',
          latencyMs: 0,
        });
      }
      return;
    }
    if (this.options.failFinal?.(data)) {
      await this.write(
        data,
        {
          type: 'error',
          code: 'stt_failed',
          message: 'the test double failed this utterance',
          utteranceId: data.utteranceId,
          index: data.index,
          retryable: false,
        },
        `final:${data.index}`,
      );
      return;
    }
    const final: FinalResult = {
      type: 'final',
      utteranceId: data.utteranceId,
      index: data.index,
      text,
      language,
      start: data.startSec,
      end: data.endSec,
      ...(data.speechStartSec !== undefined ? { speechStart: data.speechStartSec } : {}),
      ...(data.speechEndSec !== undefined ? { speechEnd: data.speechEndSec } : {}),
      words: this.options.words
        ? spreadWords(text, data.speechStartSec ?? data.startSec, data.speechEndSec ?? data.endSec)
        : [],
      latency: { queueMs: Date.now() - data.enqueuedAt, sttMs: 0 },
      worker: 'stt-double',
    };
    if (offers) {
      const writer = await this.offer(data, final);
      if (writer === 'dropped') {
        this.dropped.push(data);
        return;
      }
      this.jobs.push(data);
      if (writer === 'gateway') this.appendedByGateway.push(data);
      else await this.write(data, final, `final:${data.index}`);
    } else {
      await this.write(data, final, `final:${data.index}`);
    }
    if (this.options.translationQueue && text !== '' && data.targets.length > 0) {
      await this.options.translationQueue.add(QueueName.Translation, 'final', {
        sessionId: data.sessionId,
        utteranceId: data.utteranceId,
        index: data.index,
        kind: 'final',
        revision: data.revision,
        text,
        source: language,
        targets: data.targets,
        enqueuedAt: Date.now(),
      });
    }
    if (this.options.translate && text !== '') {
      for (const target of data.targets) {
        await this.write(
          data,
          {
            type: 'translation',
            utteranceId: data.utteranceId,
            index: data.index,
            kind: 'final',
            language: target,
            source: language,
            text: `${target}: ${text}`,
            passthrough: false,
            engine: 'double',
            latencyMs: 0,
          },
          `translation:${data.index}:${target}`,
        );
      }
    }
  }

  private async write(job: SttJob, message: ResultMessage, dedupe?: string): Promise<void> {
    await this.results.append(job.sessionId, message, dedupe);
  }

  finals(): SttJob[] {
    return this.jobs.filter((j) => j.kind === 'final');
  }

  async close(): Promise<void> {
    await Promise.all([this.worker.close(), this.uploadWorker.close()]);
    this.redis.disconnect();
  }
}
