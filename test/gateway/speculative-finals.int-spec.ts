import { type RunningApp } from 'src/bootstrap';
import { type AppConfig } from 'src/common/config/app-config';
import { SttMetrics } from 'src/stt/stt.metrics';
import { concatPcm, silence, trimmedSpeech } from '../helpers/audio';
import { PHRASE_A, PHRASE_B } from '../helpers/phrases';
import { SttEngineDouble, startAppWithSttDouble } from '../helpers/stt-double';
import { cleanupPrefix, testConfig, waitFor } from '../helpers/test-env';
import { type Frame, TestClient } from '../helpers/ws-client';

/**
 * Speculative finals end to end: a gateway and a real stt role (only whisper replaced by a double)
 * on real Redis, with the real VAD. The double "hears" how long the audio is, so each final shows
 * which audio it was computed from.
 */
describe('speculative finals (gateway + stt role, real Redis and VAD, engine double)', () => {
  let config: AppConfig;
  let running: RunningApp;
  let metrics: SttMetrics;
  const engine = new SttEngineDouble(
    (request) =>
      `heard ${request.beamSize > 1 ? 'final' : 'interim'} ${Math.round(request.pcm.length / 1600)}`,
  );
  const clients: TestClient[] = [];

  beforeAll(async () => {
    config = await testConfig({
      ROLE: 'gateway,stt',
      SILENCE_THRESHOLD_SECONDS: '0.6',
      SPECULATIVE_SILENCE_SECONDS: '0.2',
      BEAM_SIZE: '3',
    });
    running = await startAppWithSttDouble(config, engine);
    metrics = running.app.get(SttMetrics);
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${config.http.healthPort}/health/ready`)).ok,
      { what: 'app ready', timeoutMs: 30_000 },
    );
  });

  afterEach(() => {
    for (const client of clients.splice(0)) client.ws.terminate();
    engine.calls.length = 0;
    engine.delayMs = 0;
  });

  afterAll(async () => {
    await running.close();
    await cleanupPrefix(config.redis.prefix);
  });

  async function connect(): Promise<TestClient> {
    const client = await TestClient.connect(`ws://127.0.0.1:${config.gateway.port}/`);
    clients.push(client);
    return client;
  }

  const speculations = () => ({ ...metrics.counts.speculations });
  const finalCalls = () => engine.calls.filter((c) => c.beamSize > 1);
  const tenths = (frame: Frame) => Number(/heard final (\d+)/.exec(frame.text as string)?.[1]);

  it('computes the final once, at the first silence, and delivers it when the threshold passes', async () => {
    const before = speculations();
    const client = await connect();
    client.sendPcm(concatPcm(silence(0.5), trimmedSpeech(PHRASE_A), silence(1.5)));
    const [final] = await client.waitCount('final', 1);
    expect(final).toMatchObject({
      seq: expect.any(Number),
      text: expect.stringMatching(/^heard final \d+$/),
    });
    // One inference with the final's parameters: the speculation's result is the final.
    expect(finalCalls()).toHaveLength(1);
    const after = speculations();
    expect(after.confirmed - before.confirmed).toBe(1);
    expect(after.wasted - before.wasted + after.expired - before.expired).toBe(0);
    // Its audio is the whole utterance (speech plus the post-speech pad).
    expect(tenths(final)).toBeGreaterThanOrEqual(
      Math.floor((trimmedSpeech(PHRASE_A).length / 1600) * 0.8),
    );
  });

  it('drops the speculation when speech comes back; exactly one final, from all the audio', async () => {
    engine.delayMs = 50;
    const before = speculations();
    const client = await connect();
    const first = trimmedSpeech(PHRASE_A);
    const second = trimmedSpeech(PHRASE_B);
    // A pause longer than the speculation delay, shorter than the threshold: one utterance.
    client.sendPcm(concatPcm(silence(0.5), first, silence(0.35), second, silence(2)));
    await client.waitCount('final', 1);
    // Nothing more comes: no second final for the same utterance.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const finals = client.of('final');
    expect(finals).toHaveLength(1);
    expect(tenths(finals[0])).toBeGreaterThan((first.length + second.length) / 1600 - 2);
    const after = speculations();
    expect(after.confirmed - before.confirmed).toBe(1);
    const dropped =
      after.wasted - before.wasted + (after.cancelled_before_start - before.cancelled_before_start);
    expect(dropped).toBeGreaterThanOrEqual(1);
    // Realtime frames never showed the dropped speculation's text as a final.
    const echoes = client.of('realtime').filter((f) => f.final === true);
    expect(echoes.map((f) => f.text)).toEqual([finals[0].text]);
  });

  it('finalize during a speculation ends the utterance with all audio, delivered once, in seq order', async () => {
    const before = speculations();
    const client = await connect();
    client.sendPcm(concatPcm(silence(0.5), trimmedSpeech(PHRASE_B), silence(0.35)));
    await waitFor(() => engine.calls.some((c) => c.beamSize > 1), { what: 'speculation run' });
    client.sendJson({ type: 'finalize' });
    client.sendPcm(concatPcm(silence(0.3), trimmedSpeech(PHRASE_A), silence(1.5)));
    const finals = await client.waitCount('final', 2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(client.of('final')).toHaveLength(2);
    expect(finals.map((f) => f.seq)).toEqual([...finals.map((f) => f.seq)].sort((a, b) => a - b));
    expect(finals.map((f) => f.utterance_id as string)).toEqual([
      expect.stringMatching(/:1$/),
      expect.stringMatching(/:2$/),
    ]);
    const after = speculations();
    // The first speculation lost (finalize had more audio), the second was confirmed.
    expect(after.wasted - before.wasted).toBe(1);
    expect(after.confirmed - before.confirmed).toBe(1);
  });
});
