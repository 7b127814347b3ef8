import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type RunningApp, startApp } from 'src/bootstrap';
import { type AppConfig } from 'src/common/config/app-config';
import { type ErrorResult, type FinalResult } from 'src/contracts/result-messages';
import { UtteranceRevisionsService } from 'src/utterance/utterance-revisions.service';
import { WHISPER_ENGINE, type WhisperEngine } from 'src/stt/engine/whisper-engine';
import { SttMetrics } from 'src/stt/stt.metrics';
import { freePort } from '../helpers/ports';
import { ServiceProcess } from '../helpers/processes';
import { cleanupPrefix, fixture, testConfig, testEnv, waitFor } from '../helpers/test-env';
import { FakeGatewayProducer, jfkPcm } from './stt-harness';

async function readyStatus(port: number): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
  return { status: response.status, body: await response.text() };
}

describe('stt worker with whisper.cpp (test model) on real Redis', () => {
  let config: AppConfig;
  let running: RunningApp;
  let gateway: FakeGatewayProducer;

  beforeAll(async () => {
    config = await testConfig({
      ROLE: 'stt',
      WHISPER_MODEL: fixture('for-tests-ggml-tiny.bin'),
      BEAM_SIZE: '2',
      // One context: jobs are worked in queue order, so the stream order below is defined (the
      // default pool follows the cores, and the gateway, not the stream, orders finals).
      STT_POOL_SIZE: '1',
    });
    running = await startApp(config);
    gateway = new FakeGatewayProducer(running, config);
    await waitFor(async () => (await readyStatus(config.http.healthPort)).status === 200, {
      what: 'stt ready',
    });
  });

  afterAll(async () => {
    await gateway.close();
    await running.close();
    await cleanupPrefix(config.redis.prefix);
  });

  it('is ready with the model loaded and transcribes finals into the session stream in order', async () => {
    const ready = await readyStatus(config.http.healthPort);
    expect(ready.status).toBe(200);
    expect(ready.body).toContain('for-tests-ggml-tiny.bin');
    const metrics = running.app.get(SttMetrics);
    const before = metrics.counts.inferences;

    const jobs = [];
    for (let index = 1; index <= 3; index++) {
      jobs.push(
        await gateway.enqueue(
          {
            sessionId: 'order',
            index,
            kind: 'final',
            revision: 1,
            startSec: index * 3,
            language: index === 2 ? 'auto' : 'en',
          },
          jfkPcm(index - 1, index + 1),
        ),
      );
    }
    const finals = await waitFor(
      async () => {
        const messages = await gateway.results('order');
        return messages.length === 3 ? (messages as FinalResult[]) : undefined;
      },
      { what: 'three finals', timeoutMs: 30_000 },
    );
    expect(finals.map((m) => [m.type, m.index, m.utteranceId])).toEqual([
      ['final', 1, 'order:1'],
      ['final', 2, 'order:2'],
      ['final', 3, 'order:3'],
    ]);
    for (const final of finals) {
      // The test model computes for real but writes no words.
      expect(final.text).toBe('');
      expect(final.worker).toBe(config.queues.workerId);
      expect(final.start).toBe(final.index * 3);
      expect(final.latency.sttMs).toBeGreaterThan(0);
      expect(final.latency.queueMs).toBeGreaterThanOrEqual(0);
      expect(typeof final.latency.totalMs).toBe('number');
    }
    expect(finals[0].language).toBe('en');
    // Detected language: the test model has no weights, so its language probabilities can come out
    // NaN (then none is reported); test/foundation/fixtures.e2e-spec.ts checks a real probability
    // with the random-weights model. A fixed language never carries one.
    expect(finals[1].language).toMatch(/^[a-z]{2,3}$/);
    if (finals[1].languageProbability !== undefined) {
      expect(finals[1].languageProbability).toBeGreaterThan(0);
    }
    expect(finals[0].languageProbability).toBeUndefined();
    expect(metrics.counts.inferences - before).toBe(3);
    // Audio is cleaned up once the final is written.
    for (const job of jobs) expect(await gateway.audio.get(job.audioKey)).toBeNull();
  });

  it('skips stale interims without inference: only the newest snapshot and the final are computed', async () => {
    const metrics = running.app.get(SttMetrics);
    const before = { ...metrics.counts };
    // The gateway sent snapshots 1..4 faster than the worker: revision 4 is already marked.
    await running.app.get(UtteranceRevisionsService).mark('stale:1', 4);
    for (let revision = 1; revision <= 4; revision++) {
      await gateway.enqueue(
        { sessionId: 'stale', index: 1, kind: 'interim', revision },
        jfkPcm(0, revision),
        { mark: false },
      );
    }
    await waitFor(async () => (await gateway.results('stale')).length === 1 || undefined, {
      what: 'the newest interim',
      timeoutMs: 20_000,
    });
    await waitFor(
      () => metrics.counts.interimsSkipped - before.interimsSkipped === 3 || undefined,
      {
        what: '3 skipped interims',
      },
    );
    const interims = await gateway.results('stale');
    expect(interims).toMatchObject([{ type: 'interim', revision: 4, utteranceId: 'stale:1' }]);
    expect(metrics.counts.interimsComputed - before.interimsComputed).toBe(1);
    expect(metrics.counts.inferences - before.inferences).toBe(1);

    // The final makes an interim of the same utterance that arrives after it stale too.
    await gateway.enqueue(
      { sessionId: 'stale', index: 2, kind: 'final', revision: 5 },
      jfkPcm(0, 5),
    );
    await gateway.enqueue(
      { sessionId: 'stale', index: 2, kind: 'interim', revision: 3 },
      jfkPcm(0, 3),
      { mark: false },
    );
    await waitFor(
      () => metrics.counts.interimsSkipped - before.interimsSkipped === 4 || undefined,
      {
        what: 'the late interim skipped',
      },
    );
    await waitFor(
      async () => (await gateway.results('stale')).some((m) => m.type === 'final') || undefined,
      { what: 'the final' },
    );
    expect(metrics.counts.inferences - before.inferences).toBe(2);
    const skipped = await gateway.stt.getJob('stale:1:2');
    expect(skipped && (await skipped.getState())).toBe('completed');
  });

  it('skips an interim that became stale while it waited for a whisper context', async () => {
    const metrics = running.app.get(SttMetrics);
    const engine = running.app.get<WhisperEngine>(WHISPER_ENGINE);
    const before = { ...metrics.counts };
    // The only context is busy with a final; the interim passes its pick-up check and waits.
    await gateway.enqueue(
      { sessionId: 'busy', index: 1, kind: 'final', revision: 1 },
      Buffer.concat([jfkPcm(), jfkPcm()]),
    );
    await waitFor(() => engine.status().busy === 1 || undefined, { what: 'the final running' });
    await gateway.enqueue(
      { sessionId: 'waiting', index: 1, kind: 'interim', revision: 1 },
      jfkPcm(0, 1),
    );
    await waitFor(() => engine.status().waiting === 1 || undefined, {
      what: 'the interim waiting for the context',
    });
    // A newer snapshot arrives while it waits.
    await running.app.get(UtteranceRevisionsService).mark('waiting:1', 2);
    expect(metrics.counts.finals - before.finals).toBe(0);

    await waitFor(
      () => metrics.counts.interimsSkipped - before.interimsSkipped === 1 || undefined,
      { what: 'the waiting interim skipped', timeoutMs: 30_000 },
    );
    await waitFor(
      async () => (await gateway.results('busy')).some((m) => m.type === 'final') || undefined,
      { what: 'the final' },
    );
    expect(await gateway.results('waiting')).toEqual([]);
    expect(metrics.counts.interimsComputed - before.interimsComputed).toBe(0);
    expect(metrics.counts.inferences - before.inferences).toBe(1);
  });

  it('answers corrupt or empty audio with an error for that utterance, no retry, and keeps working', async () => {
    await gateway.enqueue(
      { sessionId: 'bad', index: 1, kind: 'final', revision: 1 },
      Buffer.alloc(3),
    );
    await gateway.enqueue(
      { sessionId: 'bad', index: 2, kind: 'final', revision: 1 },
      Buffer.alloc(0),
    );
    await gateway.enqueue({ sessionId: 'bad', index: 3, kind: 'final', revision: 1 }, jfkPcm(0, 2));
    const messages = await waitFor(
      async () => {
        const all = await gateway.results('bad');
        return all.length === 3 ? all : undefined;
      },
      { what: 'three messages', timeoutMs: 20_000 },
    );
    const [odd, empty, good] = messages as [ErrorResult, ErrorResult, FinalResult];
    expect(odd).toMatchObject({ type: 'error', code: 'bad_audio', utteranceId: 'bad:1', index: 1 });
    expect(odd.message).toMatch(/3 bytes: PCM16 needs an even count/);
    expect(empty).toMatchObject({ type: 'error', code: 'bad_audio', utteranceId: 'bad:2' });
    expect(empty.message).toMatch(/empty/);
    expect(good).toMatchObject({ type: 'final', utteranceId: 'bad:3' });
    const failed = await gateway.stt.getJob('bad:1:1');
    expect(await failed!.getState()).toBe('failed');
    expect(failed!.attemptsMade).toBe(1);
    expect(failed!.failedReason).toMatch(/bad audio in bad:1/);
  });
});

describe('stt readiness without a model file', () => {
  it('is not ready, does not consume, and logs the command that fetches the model', async () => {
    const lines: string[] = [];
    const config = await testConfig({
      ROLE: 'stt',
      WHISPER_MODEL: '',
      MODEL_SIZE: 'tiny.en',
      MODELS_DIR: mkdtempSync(join(tmpdir(), 'rt-no-models-')),
    });
    const running = await startApp(
      config,
      createLogger(config, (line) => lines.push(line)),
    );
    try {
      const ready = await readyStatus(config.http.healthPort);
      expect(ready.status).toBe(503);
      expect(ready.body).toContain('npm run models -- tiny.en');
      expect(lines.join('\n')).toMatch(
        /ggml-tiny\.en\.bin is missing: run "npm run models -- tiny\.en/,
      );
    } finally {
      await running.close();
      await cleanupPrefix(config.redis.prefix);
    }
  });
});

describe('a worker killed in the middle of a final', () => {
  it('hands the job to another worker, which delivers the final exactly once', async () => {
    const env = await testEnv({
      ROLE: 'stt',
      AUDIO_CTX: 'full',
      WHISPER_THREADS: '1',
      BEAM_SIZE: '5',
      JOB_LOCK_MS: '1000',
      JOB_STALLED_INTERVAL_MS: '500',
    });
    const config = await testConfig(env);
    const victim = new ServiceProcess(env);
    // The second worker is an in-process app on the same prefix.
    let rescuer: RunningApp | undefined;
    let gateway: FakeGatewayProducer | undefined;
    const producerApp = await startApp(
      await testConfig({
        ...env,
        ROLE: 'gateway',
        HEALTH_PORT: String(await freePort()),
        GATEWAY_PORT: String(await freePort()),
      }),
    );
    try {
      await waitFor(async () => (await readyStatus(Number(env.HEALTH_PORT))).status === 200, {
        what: 'victim ready',
        timeoutMs: 20_000,
      }).catch((error: Error) => {
        throw new Error(`${error.message}\n${victim.output}`);
      });
      gateway = await new FakeGatewayProducer(producerApp, config).ready();
      // 50 s of audio in two 30 s windows at full context: long enough to be killed mid-way.
      const long = Buffer.concat([jfkPcm(), jfkPcm(), jfkPcm(), jfkPcm(), jfkPcm(0, 6)]);
      await gateway.enqueue({ sessionId: 'killed', index: 1, kind: 'final', revision: 1 }, long);
      const job = await gateway.stt.getJob('killed:1:1');
      await waitFor(async () => (await job!.getState()) === 'active' || undefined, {
        intervalMs: 5,
        what: 'job picked up',
      });
      victim.kill('SIGKILL');
      await victim.exited;
      expect(await gateway.results('killed')).toEqual([]);

      rescuer = await startApp(await testConfig({ ...env, HEALTH_PORT: String(await freePort()) }));
      await waitFor(async () => (await job!.getState()) === 'completed' || undefined, {
        what: 'job completed by the second worker',
        timeoutMs: 30_000,
      });
      const results = await gateway.results('killed');
      expect(results).toHaveLength(1);
      expect(results[0]).toMatchObject({ type: 'final', utteranceId: 'killed:1' });
      const done = await gateway.stt.getJob('killed:1:1');
      // Started twice (once by each worker), delivered once.
      expect(done!.attemptsStarted).toBe(2);
    } finally {
      victim.kill('SIGKILL');
      await victim.exited;
      await gateway?.close();
      await rescuer?.close();
      await producerApp.close();
      await cleanupPrefix(config.redis.prefix);
    }
  });
});
