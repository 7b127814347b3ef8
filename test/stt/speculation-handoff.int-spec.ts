import { type RunningApp } from 'src/bootstrap';
import { type AppConfig } from 'src/common/config/app-config';
import { RedisClient } from 'src/common/redis/redis.module';
import { type FinalResult } from 'src/contracts/result-messages';
import { SpeculationVerdictsService } from 'src/utterance/speculation-verdicts.service';
import { SttMetrics } from 'src/stt/stt.metrics';
import { SttEngineDouble, startAppWithSttDouble } from '../helpers/stt-double';
import { cleanupPrefix, testConfig, waitFor } from '../helpers/test-env';
import { FakeGatewayProducer, jfkPcm } from './stt-harness';

/**
 * How a computed speculation reaches the results (stt role with an engine double, real Redis): the
 * worker offers its final before the verdict; a gateway confirming after that appends it in the
 * same Redis call, a gateway confirming earlier leaves it to the worker, a cancel drops it. In
 * every case the final is written once and its translation enqueued once.
 */
describe('speculative finals: handed over at the confirm (stt role, engine double, real Redis)', () => {
  let config: AppConfig;
  let running: RunningApp;
  let gateway: FakeGatewayProducer;
  let verdicts: SpeculationVerdictsService;
  let metrics: SttMetrics;
  let redis: RedisClient;
  const engine = new SttEngineDouble();

  beforeAll(async () => {
    config = await testConfig({ ROLE: 'stt', WORD_TIMESTAMPS: 'false' });
    running = await startAppWithSttDouble(config, engine);
    gateway = await new FakeGatewayProducer(running, config).ready();
    verdicts = running.app.get(SpeculationVerdictsService);
    metrics = running.app.get(SttMetrics);
    redis = running.app.get(RedisClient);
  });

  afterEach(() => {
    engine.delayMs = 0;
  });

  afterAll(async () => {
    await gateway.close();
    await running.close();
    await cleanupPrefix(config.redis.prefix);
  });

  const readyKey = (sessionId: string) => redis.keys.speculationReady(`${sessionId}:0`, 1);

  async function speculate(sessionId: string, text: string): Promise<void> {
    engine.script = text;
    await gateway.enqueue(
      { sessionId, index: 0, kind: 'final', revision: 1, speculative: true, targets: ['es'] },
      jfkPcm(0, 2),
    );
  }

  const finals = async (sessionId: string) =>
    (await gateway.results(sessionId)).filter((m): m is FinalResult => m.type === 'final');
  const translationJobs = async (sessionId: string) =>
    (await gateway.translation.getJobs(['waiting', 'prioritized', 'active', 'completed'])).filter(
      (job) => job.data.sessionId === sessionId,
    );

  it('a confirm after the offer appends the final itself, once; the worker only follows up', async () => {
    const before = { ...metrics.counts.speculativeFinals };
    await speculate('ready', 'and so my fellow americans');
    await waitFor(async () => (await redis.redis.exists(readyKey('ready'))) === 1, {
      what: 'the offered final',
    });
    expect(await finals('ready')).toHaveLength(0);

    const standing = await verdicts.decide('ready', 'ready:0', 1, { kind: 'confirm', at: 1 });
    expect(standing).toEqual({ kind: 'confirm', at: 1 });
    // In the stream as soon as the confirm returns, before the worker has done anything more.
    const [final] = await finals('ready');
    expect(final).toMatchObject({ index: 0, text: 'and so my fellow americans' });
    expect(await redis.redis.exists(readyKey('ready'))).toBe(0);

    await waitFor(async () => (await translationJobs('ready')).length === 1, {
      what: 'the final translation job',
    });
    await waitFor(() => metrics.counts.speculativeFinals.gateway === before.gateway + 1, {
      what: 'the worker to see the handover',
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await finals('ready')).toHaveLength(1);
    expect(await translationJobs('ready')).toHaveLength(1);
    expect(metrics.counts.speculativeFinals.worker).toBe(before.worker);
  });

  it('a confirm before the speculation is computed leaves the final to the worker, once', async () => {
    const before = { ...metrics.counts.speculativeFinals };
    engine.delayMs = 300;
    const calls = engine.calls.length;
    await speculate('early', 'ask not what your country');
    await waitFor(() => engine.calls.length > calls, {
      what: 'the speculation to start',
    });
    await verdicts.decide('early', 'early:0', 1, { kind: 'confirm', at: Date.now() });
    expect(await finals('early')).toHaveLength(0);

    const [final] = await waitFor(
      async () => {
        const written = await finals('early');
        return written.length > 0 ? written : undefined;
      },
      { what: 'the worker to write the final' },
    );
    expect(final).toMatchObject({ index: 0, text: 'ask not what your country' });
    await waitFor(() => metrics.counts.speculativeFinals.worker === before.worker + 1, {
      what: 'the worker-written count',
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await finals('early')).toHaveLength(1);
    expect(await translationJobs('early')).toHaveLength(1);
    expect(await redis.redis.exists(readyKey('early'))).toBe(0);
    expect(metrics.counts.speculativeFinals.gateway).toBe(before.gateway);
  });

  it('a cancel after the offer drops it: no final, no translation, nothing left behind', async () => {
    const wasted = metrics.counts.speculations.wasted;
    await speculate('cancelled', 'can do for you');
    await waitFor(async () => (await redis.redis.exists(readyKey('cancelled'))) === 1, {
      what: 'the offered final',
    });
    expect(await verdicts.decide('cancelled', 'cancelled:0', 1, { kind: 'cancel' })).toEqual({
      kind: 'cancel',
    });
    expect(await redis.redis.exists(readyKey('cancelled'))).toBe(0);
    await waitFor(() => metrics.counts.speculations.wasted === wasted + 1, {
      what: 'the speculation counted as wasted',
    });
    // A late confirm cannot revive it.
    expect(
      await verdicts.decide('cancelled', 'cancelled:0', 1, { kind: 'confirm', at: 1 }),
    ).toEqual({ kind: 'cancel' });
    expect(await finals('cancelled')).toHaveLength(0);
    expect(await translationJobs('cancelled')).toHaveLength(0);
  });
});
