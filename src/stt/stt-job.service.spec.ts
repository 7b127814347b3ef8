import { UnrecoverableError } from 'bullmq';
import type { AppConfig } from '../common/config/app-config';
import type { SttJob } from '../contracts/job-payloads';
import type { ResultMessage } from '../contracts/result-messages';
import type { SpeculationVerdict } from '../contracts/speculation-verdict';
import { SttJobService } from './stt-job.service';
import type { Transcription } from './stt-transcriber.service';

const JOB: SttJob = {
  sessionId: 's1',
  utteranceId: 's1:1',
  index: 1,
  kind: 'final',
  revision: 1,
  audioKey: 'audio:s1:1:1',
  sampleRate: 16000,
  startSec: 0,
  endSec: 1,
  language: 'en',
  task: 'transcribe',
  targets: ['es'],
  interimTranslations: false,
  enqueuedAt: Date.now(),
};

/**
 * SttJobService with in-memory fakes for Redis, the queue and the engine: what it writes, what it
 * enqueues and what it asks of the verdicts, for each kind of job.
 */
function harness(options: { verdict?: SpeculationVerdict | null; withdrawn?: boolean } = {}) {
  const appended: { message: ResultMessage; dedupe: string }[] = [];
  const enqueued: { queue: string; jobId: string }[] = [];
  const offers: string[] = [];
  const deleted: string[] = [];
  let transcribed = 0;
  const transcription: Transcription = {
    text: 'hello there.',
    language: 'en',
    words: [{ word: ' hello', start: 0, end: 0.5, probability: 0.9 }],
    sttMs: 12,
    audioSeconds: 1,
    inferred: true,
  };
  const config = {
    vad: { silenceThresholdSeconds: 0.6 },
    stt: { maxBatchSize: 1, batchTimeoutMs: 0 },
    queues: { workerId: 'w1' },
  } as unknown as AppConfig;
  const counter = (): void => undefined;
  const service = new SttJobService(
    config,
    {
      transcribe: () => {
        transcribed++;
        return Promise.resolve(transcription);
      },
    } as never,
    {
      get: () => Promise.resolve(Buffer.alloc(3200)),
      delete: (key: string) => {
        deleted.push(key);
        return Promise.resolve();
      },
    } as never,
    {
      append: (_session: string, message: ResultMessage, dedupe: string) => {
        const duplicate = appended.some((entry) => entry.dedupe === dedupe);
        if (!duplicate) appended.push({ message, dedupe });
        return Promise.resolve(duplicate ? null : `${appended.length}-0`);
      },
    } as never,
    { latest: () => Promise.resolve(1) } as never,
    { previousText: () => Promise.resolve(null), remember: () => Promise.resolve() } as never,
    {
      add: (queue: string, _name: string, _data: unknown, opts: { jobId: string }) => {
        enqueued.push({ queue, jobId: opts.jobId });
        return Promise.resolve();
      },
    } as never,
    {
      speculation: counter,
      inference: counter,
      final: counter,
      interim: counter,
      badAudio: counter,
      speculativeFinal: counter,
    } as never,
    {
      read: () => Promise.resolve(options.verdict ?? null),
      wait: () => Promise.resolve(options.verdict ?? null),
      offer: (_final: string, offer: { text: string }) => {
        offers.push(offer.text);
        return Promise.resolve();
      },
      withdraw: () => Promise.resolve(options.withdrawn ?? true),
    } as never,
    {
      load: () => Promise.resolve({ committed: [], tentative: [], revision: 0 }),
      save: () => Promise.resolve(),
      forget: () => Promise.resolve(),
    } as never,
  );
  const handle = (data: Partial<SttJob> = {}) =>
    service.handle({ data: { ...JOB, ...data }, id: 'j1', attemptsMade: 0, opts: { attempts: 3 } });
  return { handle, appended, enqueued, offers, deleted, transcribed: () => transcribed };
}

describe('SttJobService (in-memory fakes)', () => {
  it('a final: one final message, its translation job, its audio deleted', async () => {
    const h = harness();
    expect(await h.handle()).toEqual({ status: 'done', text: 'hello there.', inferred: true });
    expect(h.appended.map((a) => [a.message.type, a.dedupe])).toEqual([['final', 'final:s1:1']]);
    expect(h.enqueued.map((e) => e.jobId)).toEqual(['s1:1:final']);
    expect(h.deleted).toEqual(['audio:s1:1:1']);
    // A retry finds its final written: no second message, the translation enqueued again (dedupe).
    expect(await h.handle()).toEqual({ status: 'duplicate' });
    expect(h.appended).toHaveLength(1);
  });

  it('a stale interim is skipped before any inference', async () => {
    const h = harness();
    expect(await h.handle({ kind: 'interim', revision: 0 })).toEqual({ status: 'skipped_stale' });
    expect(h.transcribed()).toBe(0);
    expect(h.appended).toEqual([]);
  });

  it('a speculation cancelled before it started is dropped without inference', async () => {
    const h = harness({ verdict: { kind: 'cancel' } });
    expect(await h.handle({ speculative: true })).toEqual({ status: 'speculation_dropped' });
    expect(h.transcribed()).toBe(0);
    expect(h.offers).toEqual([]);
  });

  it('a confirmed speculation whose offer was still there is written by the worker', async () => {
    const h = harness({ verdict: { kind: 'confirm', at: Date.now() }, withdrawn: true });
    // The first read (before inference) sees a confirm: not a cancel, so it goes on.
    expect(await h.handle({ speculative: true })).toMatchObject({ status: 'done' });
    expect(h.offers).toEqual(['hello there.']);
    expect(h.appended.map((a) => a.dedupe)).toEqual(['final:s1:1']);
    expect(h.enqueued.map((e) => e.jobId)).toEqual(['s1:1:final']);
  });

  it("a confirmed speculation the gateway's confirm appended: follow-up only, no second write", async () => {
    const h = harness({ verdict: { kind: 'confirm', at: Date.now() }, withdrawn: false });
    expect(await h.handle({ speculative: true })).toMatchObject({ status: 'done' });
    expect(h.appended).toEqual([]);
    expect(h.enqueued.map((e) => e.jobId)).toEqual(['s1:1:final']);
  });

  it('a speculation that never got a verdict is dropped after inference', async () => {
    const h = harness({ verdict: null, withdrawn: true });
    expect(await h.handle({ speculative: true })).toEqual({ status: 'speculation_dropped' });
    expect(h.transcribed()).toBe(1);
    expect(h.appended).toEqual([]);
    expect(h.enqueued).toEqual([]);
  });

  it('an invalid payload is never retried, and its final gets an error in its place', async () => {
    const h = harness();
    await expect(h.handle({ sampleRate: 8000 } as never)).rejects.toBeInstanceOf(
      UnrecoverableError,
    );
    expect(h.appended.map((a) => [a.message.type, a.dedupe])).toEqual([['error', 'final:s1:1']]);
  });
});
