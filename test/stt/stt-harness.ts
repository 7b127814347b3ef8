import { Queue } from 'bullmq';
import { readFileSync } from 'node:fs';
import { type RunningApp } from 'src/bootstrap';
import { type AppConfig } from 'src/common/config/app-config';
import { JOB_PRIORITY } from 'src/common/queues/job-defaults';
import { type SttJob, type TranslationJob } from 'src/contracts/job-payloads';
import { QueueName } from 'src/contracts/queue-names';
import { RedisClient } from 'src/common/redis/redis.module';
import { AudioStoreService } from 'src/utterance/audio-store.service';
import { type ResultMessage } from 'src/contracts/result-messages';
import { ResultStreamService } from 'src/utterance/result-stream.service';
import { UtteranceRevisionsService } from 'src/utterance/utterance-revisions.service';
import { fixture, REDIS_URL, waitFor } from '../helpers/test-env';

/** 16 kHz mono PCM16 of jfk.wav (11 s of real speech), optionally a slice of it. */
export function jfkPcm(fromSec = 0, toSec = 11): Buffer {
  const wav = readFileSync(fixture('jfk.wav'));
  const data = wav.subarray(wav.indexOf('data') + 8);
  return data.subarray(fromSec * 32000, Math.min(data.length, toSec * 32000));
}

/** Broadband noise, no speech. */
export function noisePcm(seconds: number, amplitude = 8000): Buffer {
  const out = Buffer.alloc(seconds * 32000);
  let state = 7;
  for (let i = 0; i < out.length / 2; i++) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    out.writeInt16LE(Math.round(((state / 0x7fffffff) * 2 - 1) * amplitude), i * 2);
  }
  return out;
}

/** Plays the gateway's part: stores audio, marks revisions, enqueues stt jobs. */
export class FakeGatewayProducer {
  readonly stt: Queue<SttJob>;
  readonly translation: Queue<TranslationJob>;

  constructor(
    private readonly running: RunningApp,
    config: AppConfig,
  ) {
    const url = new URL(REDIS_URL);
    const connection = { host: url.hostname, port: Number(url.port || 6379) };
    this.stt = new Queue(QueueName.Stt, { connection, prefix: config.redis.prefix });
    this.translation = new Queue(QueueName.Translation, {
      connection,
      prefix: config.redis.prefix,
    });
  }

  /** Resolves once the app's fail-fast Redis connection is up. */
  async ready(): Promise<this> {
    const client = this.running.app.get(RedisClient);
    await waitFor(() => client.redis.status === 'ready', { what: 'Redis connection' });
    return this;
  }

  get audio(): AudioStoreService {
    return this.running.app.get(AudioStoreService);
  }

  async enqueue(
    job: Partial<SttJob> & Pick<SttJob, 'sessionId' | 'index' | 'kind' | 'revision'>,
    pcm: Buffer,
    { mark = true } = {},
  ): Promise<SttJob> {
    const utteranceId = job.utteranceId ?? `${job.sessionId}:${job.index}`;
    const audioKey = this.audio.keyFor(utteranceId, job.revision);
    await this.audio.put(audioKey, pcm);
    if (mark) await this.running.app.get(UtteranceRevisionsService).mark(utteranceId, job.revision);
    const startSec = job.startSec ?? 0;
    const data: SttJob = {
      utteranceId,
      audioKey,
      sampleRate: 16000,
      startSec,
      endSec: startSec + pcm.length / 32000,
      language: 'en',
      task: 'transcribe',
      targets: [],
      interimTranslations: false,
      enqueuedAt: Date.now(),
      ...job,
    };
    await this.stt.add(data.kind, data, {
      jobId: `${utteranceId}:${data.revision}`,
      priority: JOB_PRIORITY[data.kind],
      attempts: 3,
    });
    return data;
  }

  async results(sessionId: string): Promise<ResultMessage[]> {
    const entries = await this.running.app.get(ResultStreamService).readAfter(sessionId, '0');
    return entries.map((entry) => entry.message);
  }

  async close(): Promise<void> {
    await this.stt.close();
    await this.translation.close();
  }
}
