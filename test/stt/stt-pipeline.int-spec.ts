import { type RunningApp } from 'src/bootstrap';
import { type AppConfig } from 'src/common/config/app-config';
import { RedisClient } from 'src/common/redis/redis.module';
import { type FinalResult, type InterimResult } from 'src/contracts/result-messages';
import { cleanupPrefix, testConfig, waitFor } from '../helpers/test-env';
import { SttEngineDouble, startAppWithSttDouble } from '../helpers/stt-double';
import { FakeGatewayProducer, jfkPcm, noisePcm } from './stt-harness';

/** The stt role with only whisper replaced by a double that "hears" chosen words. */
describe('stt pipeline around the engine (engine double, real Redis)', () => {
  let config: AppConfig;
  let running: RunningApp;
  let gateway: FakeGatewayProducer;
  const engine = new SttEngineDouble();

  beforeAll(async () => {
    config = await testConfig({ ROLE: 'stt', BEAM_SIZE: '4', SESSION_TTL_SECONDS: '120' });
    running = await startAppWithSttDouble(config, engine);
    gateway = await new FakeGatewayProducer(running, config).ready();
  });

  afterAll(async () => {
    await gateway.close();
    await running.close();
    await cleanupPrefix(config.redis.prefix);
  });

  beforeEach(() => {
    engine.calls.length = 0;
  });

  async function finalsOf(sessionId: string, count: number): Promise<FinalResult[]> {
    return waitFor(
      async () => {
        const finals = (await gateway.results(sessionId)).filter((m) => m.type === 'final');
        return finals.length >= count ? finals : undefined;
      },
      { what: `${count} finals of ${sessionId}`, timeoutMs: 15_000 },
    );
  }

  it('writes the final with words, hands it to translation and carries it as the next prompt', async () => {
    engine.script = (_request, call) =>
      call === 0 ? 'ask not what your country can do' : 'ask what you can do';
    await gateway.enqueue(
      {
        sessionId: 'tr',
        index: 1,
        kind: 'final',
        revision: 2,
        startSec: 10,
        language: 'auto',
        targets: ['es', 'ca'],
      },
      jfkPcm(0, 2),
    );
    const [first] = await finalsOf('tr', 1);
    expect(first).toMatchObject({
      text: 'ask not what your country can do',
      language: 'en',
      languageProbability: 0.97,
      start: 10,
      end: 12,
    });
    expect(first.words.map((w) => w.word)).toEqual([
      'ask',
      'not',
      'what',
      'your',
      'country',
      'can',
      'do',
    ]);
    expect(first.words[0].start).toBeCloseTo(10, 3);
    expect(first.words[6].end).toBeCloseTo(12, 3);

    const translation = await waitFor(() => gateway.translation.getJob('tr:1:final'), {
      what: 'translation job',
    });
    expect(translation.data).toMatchObject({
      sessionId: 'tr',
      utteranceId: 'tr:1',
      kind: 'final',
      text: 'ask not what your country can do',
      source: 'en',
      targets: ['es', 'ca'],
    });

    // Finals use beam search, a segment-sized audio context, normalised audio.
    const request = engine.calls[0];
    expect(request.beamSize).toBe(4);
    expect(request.audioCtx).toBe(192);
    expect(request.temperatureFallback).toBe(true);
    expect(Math.max(...request.pcm.map(Math.abs))).toBeCloseTo(0.9, 2);
    expect(request.initialPrompt).toBeUndefined();

    const context = running.app.get(RedisClient);
    const key = context.keys.sessionContext('tr');
    expect(await context.redis.get(key)).toBe('ask not what your country can do');
    expect(await context.redis.ttl(key)).toBeGreaterThan(100);

    await gateway.enqueue(
      { sessionId: 'tr', index: 2, kind: 'final', revision: 1, language: 'en' },
      jfkPcm(2, 4),
    );
    await finalsOf('tr', 2);
    expect(engine.calls[1].initialPrompt).toBe('ask not what your country can do');
    expect(await context.redis.get(key)).toBe('ask what you can do');
  });

  it('interims are greedy and are translated only when the session asked for it', async () => {
    engine.script = 'ask not';
    await gateway.enqueue(
      {
        sessionId: 'int',
        index: 1,
        kind: 'interim',
        revision: 1,
        targets: ['es'],
        interimTranslations: true,
      },
      jfkPcm(0, 1),
    );
    await gateway.enqueue(
      {
        sessionId: 'int',
        index: 2,
        kind: 'interim',
        revision: 1,
        targets: ['es'],
        interimTranslations: false,
      },
      jfkPcm(0, 1),
    );
    const interims = await waitFor(
      async () => {
        const all = await gateway.results('int');
        return all.length === 2 ? (all as InterimResult[]) : undefined;
      },
      { what: 'two interims' },
    );
    expect(interims.map((m) => [m.type, m.utteranceId, m.revision, m.text])).toEqual([
      ['interim', 'int:1', 1, 'ask not'],
      ['interim', 'int:2', 1, 'ask not'],
    ]);
    expect(engine.calls.map((c) => [c.beamSize, c.temperatureFallback])).toEqual([
      [1, false],
      [1, false],
    ]);
    const job = await gateway.translation.getJob('int:1:interim-1');
    expect(job?.data).toMatchObject({ kind: 'interim', text: 'ask not', source: 'en' });
    expect(job?.opts.priority).toBeGreaterThan(1);
    expect(await gateway.translation.getJob('int:2:interim-1')).toBeUndefined();
  });

  it('gives pure noise an empty final without running whisper, and drops whisper hallucinations', async () => {
    engine.script = 'Thank you for watching.';
    await gateway.enqueue(
      { sessionId: 'noise', index: 1, kind: 'final', revision: 1, targets: ['es'] },
      noisePcm(2),
    );
    await gateway.enqueue(
      { sessionId: 'noise', index: 2, kind: 'final', revision: 1, targets: ['es'] },
      jfkPcm(0, 2),
    );
    const finals = await finalsOf('noise', 2);
    expect(finals.map((f) => [f.index, f.text, f.words.length])).toEqual([
      [1, '', 0],
      [2, '', 0],
    ]);
    // Noise never reached the engine; the speech did, and its hallucinated text was dropped.
    expect(engine.calls).toHaveLength(1);
    expect(await gateway.translation.getJob('noise:1:final')).toBeUndefined();
    expect(await gateway.translation.getJob('noise:2:final')).toBeUndefined();
  });

  it('translate task: whisper is asked to translate and the English text goes on as source en', async () => {
    engine.script = 'where is the station';
    await gateway.enqueue(
      {
        sessionId: 'tt',
        index: 1,
        kind: 'final',
        revision: 1,
        language: 'es',
        task: 'translate',
        targets: ['ca'],
      },
      jfkPcm(0, 2),
    );
    const [final] = await finalsOf('tt', 1);
    expect(final).toMatchObject({ text: 'where is the station', language: 'en' });
    expect(engine.calls[0]).toMatchObject({ task: 'translate', language: 'es' });
    const job = await waitFor(() => gateway.translation.getJob('tt:1:final'), {
      what: 'translation job',
    });
    expect(job.data).toMatchObject({ text: 'where is the station', source: 'en', targets: ['ca'] });
  });

  it('a final whose transcription keeps failing gets one error after its last attempt', async () => {
    engine.script = () => {
      throw new Error('engine exploded');
    };
    await gateway.enqueue(
      { sessionId: 'fail', index: 1, kind: 'final', revision: 1 },
      jfkPcm(0, 2),
    );
    const job = await gateway.stt.getJob('fail:1:1');
    await waitFor(async () => (await job!.getState()) === 'failed' || undefined, {
      what: 'job failed after its attempts',
    });
    const messages = await gateway.results('fail');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      type: 'error',
      code: 'stt_failed',
      utteranceId: 'fail:1',
      index: 1,
    });
    expect((messages[0] as { message: string }).message).toMatch(/engine exploded/);
    expect(engine.calls).toHaveLength(3);
  });
});
