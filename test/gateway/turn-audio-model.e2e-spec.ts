import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningApp } from 'src/bootstrap';
import { SmartTurnModel } from 'src/gateway/turn-model/smart-turn.model';
import { smartTurnInput } from 'src/turns';
import { concatPcm, silence, trimmedSpeech } from '../helpers/audio';
import { constantTurnModel, featureProbeModel, onnxModel } from '../helpers/onnx-builder';
import { PHRASE_A } from '../helpers/phrases';
import { SttEngineDouble, startAppWithSttDouble } from '../helpers/stt-double';
import { cleanupPrefix, testConfig, waitFor } from '../helpers/test-env';
import { TestClient } from '../helpers/ws-client';

/**
 * The audio end-of-turn model's runner against real onnxruntime, with ONNX files this test
 * writes in Smart Turn v3's shape ([batch, 80, 800] -> [batch, 1]): what it is fed, what it
 * answers, and the errors for a missing or misshapen file.
 */
describe('SmartTurnModel (onnxruntime on a worker thread, models built by the test)', () => {
  let dir: string;
  const models: SmartTurnModel[] = [];
  const write = (name: string, model: Buffer): string => {
    const path = join(dir, name);
    writeFileSync(path, model);
    return path;
  };
  const load = async (path: string): Promise<SmartTurnModel> => {
    const model = await SmartTurnModel.load(path);
    models.push(model);
    return model;
  };
  const speech = concatPcm(silence(0.3), trimmedSpeech(PHRASE_A), silence(0.2));

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'turn-model-'));
  });

  afterAll(async () => {
    await Promise.all(models.map((model) => model.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers the model's probability for a turn's audio", async () => {
    const likely = await load(write('likely.onnx', constantTurnModel(0.9)));
    const unlikely = await load(write('unlikely.onnx', constantTurnModel(0.1)));
    expect(await likely.probability(speech)).toBeCloseTo(0.9, 5);
    expect(await unlikely.probability(speech)).toBeCloseTo(0.1, 5);
    // Several at once, each answered.
    const many = await Promise.all([1, 2, 3].map(() => likely.probability(speech)));
    expect(many.map((p) => Math.round(p * 10))).toEqual([9, 9, 9]);
  });

  it('feeds the model the Whisper log-mel of the last 8 s, [80 x 800], left-padded', async () => {
    // The value at mel 26 (about 1 kHz) of the last frame, and at frame 0 (padding).
    const last = await load(write('probe-last.onnx', featureProbeModel(26, 799)));
    const first = await load(write('probe-first.onnx', featureProbeModel(26, 0)));
    const features = smartTurnInput(speech);
    expect(await last.probability(speech)).toBeCloseTo(features[26 * 800 + 799], 4);
    expect(await first.probability(speech)).toBeCloseTo(features[26 * 800], 4);
    // The padding is quieter than the speech.
    expect(features[26 * 800]).toBeLessThan(Math.max(...features.subarray(26 * 800, 27 * 800)));
    // 10 s of audio: only the last 8 s count, so cutting the first 2 s changes nothing.
    const phrase = trimmedSpeech(PHRASE_A);
    const long = concatPcm(
      phrase,
      trimmedSpeech(PHRASE_A),
      silence(10 - (2 * phrase.length) / 16000),
    );
    const tail = long.subarray(long.length - 8 * 16000);
    expect(await last.probability(long)).toBeCloseTo(await last.probability(tail), 5);
  });

  it('refuses a missing file, naming the command that fetches the model', async () => {
    await expect(SmartTurnModel.load(join(dir, 'absent.onnx'))).rejects.toThrow(
      /does not exist: fetch it with `npm run models -- --trust-host smart-turn`/,
    );
  });

  it('refuses a model of another shape, and a file that is not ONNX, with what is wrong', async () => {
    const wrongShape = write(
      'wrong-shape.onnx',
      onnxModel({
        inputs: [{ name: 'input_features', dims: ['batch', 80, 3000] }],
        outputs: [{ name: 'logits', dims: ['batch', 80, 3000] }],
        nodes: [{ op: 'Identity', inputs: ['input_features'], outputs: ['logits'] }],
      }),
    );
    await expect(SmartTurnModel.load(wrongShape)).rejects.toThrow(
      /must be \[batch, 80, 800\], is \[batch, 80, 3000\]/,
    );
    const wrongInput = write(
      'wrong-input.onnx',
      onnxModel({
        inputs: [{ name: 'input', dims: [1, 512] }],
        outputs: [{ name: 'output', dims: [1, 512] }],
        nodes: [{ op: 'Identity', inputs: ['input'], outputs: ['output'] }],
      }),
    );
    await expect(SmartTurnModel.load(wrongInput)).rejects.toThrow(
      /has no input "input_features" \(inputs: input\)/,
    );
    const garbage = write('garbage.onnx', Buffer.from('not a model at all'));
    await expect(SmartTurnModel.load(garbage)).rejects.toThrow(/cannot be used/);
  });
});

/**
 * The audio signal in semantic turns: a gateway and a real stt role (engine double for the words)
 * on real Redis, with TURN_AUDIO_MODEL set to a test-built model that always answers the same.
 */
describe('semantic turns with an audio turn model (gateway + stt role, real Redis and VAD)', () => {
  let dir: string;
  const apps: { app: RunningApp; prefix: string }[] = [];
  const clients: TestClient[] = [];
  const phrase = trimmedSpeech(PHRASE_A);
  const phraseSeconds = phrase.length / 16000;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'turn-model-app-'));
  });

  afterEach(() => {
    for (const client of clients.splice(0)) client.ws.terminate();
  });

  afterAll(async () => {
    for (const { app, prefix } of apps) {
      await app.close();
      await cleanupPrefix(prefix);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  /** Streams the phrase and 3 s of silence at real time; resolves with the final's silence. */
  async function turnOf(probability: number, words: string) {
    const modelPath = join(dir, `constant-${probability}.onnx`);
    writeFileSync(modelPath, constantTurnModel(probability));
    const config = await testConfig({
      ROLE: 'gateway,stt',
      SILENCE_THRESHOLD_SECONDS: '0.6',
      SPECULATIVE_SILENCE_SECONDS: '0.2',
      TURN_MODE: 'semantic',
      TURN_MIN_SILENCE_MS: '250',
      TURN_MAX_SILENCE_MS: '2000',
      TURN_AUDIO_MODEL: modelPath,
    });
    const app = await startAppWithSttDouble(config, new SttEngineDouble(() => words));
    apps.push({ app, prefix: config.redis.prefix });
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${config.http.healthPort}/health/ready`)).ok,
      { what: 'app ready', timeoutMs: 30_000 },
    );
    const client = await TestClient.connect(`ws://127.0.0.1:${config.gateway.port}/`);
    clients.push(client);
    const pcm = concatPcm(silence(0.3), phrase, silence(3));
    const started = Date.now();
    let finalAt = Infinity;
    for (let i = 0, n = 0; i < pcm.length; i += 1600, n++) {
      client.sendPcm(pcm.subarray(i, i + 1600), 1600);
      await new Promise((r) => setTimeout(r, Math.max(0, started + (n + 1) * 100 - Date.now())));
      if (finalAt === Infinity && client.of('final').length > 0) finalAt = (i + 1600) / 16000;
    }
    await client.waitCount('final', 1);
    await waitFor(() => client.of('turn').some((f) => f.event === 'end_of_turn'), {
      what: 'end_of_turn',
    });
    return { silence: finalAt - (0.3 + phraseSeconds), turns: client.of('turn') };
  }

  it('a falling voice ends an unpunctuated turn early', async () => {
    const turn = await turnOf(0.95, 'that is all for today');
    expect(turn.silence).toBeLessThan(1.2);
    expect(turn.turns.map((f) => `${f.event} ${f.trigger ?? ''}`.trim())).toEqual([
      'eager_end_of_turn',
      'end_of_turn model',
    ]);
  });

  it('a voice that is not done holds a punctuated turn open until TURN_MAX_SILENCE_MS', async () => {
    const turn = await turnOf(0.05, 'That is all for today.');
    expect(turn.silence).toBeGreaterThan(1.9);
    expect(turn.turns.map((f) => `${f.event} ${f.trigger ?? ''}`.trim())).toEqual([
      'end_of_turn timeout',
    ]);
  });
});
