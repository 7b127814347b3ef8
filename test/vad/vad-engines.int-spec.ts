import { DualGateDetector, FvadWasm, SileroVadModel } from 'src/vad';
import { SILERO_CATCH_UP_FRAMES } from 'src/vad/dual-gate.detector';
import { RATE, compose, readWav16k, slice } from '../helpers/audio-fixtures';
import { fixture } from '../helpers/test-env';

const CHUNK = 512;

function chunks(pcm: Int16Array): Int16Array[] {
  const out: Int16Array[] = [];
  for (let i = 0; i + CHUNK <= pcm.length; i += CHUNK) out.push(pcm.subarray(i, i + CHUNK));
  return out;
}

describe('VAD engines (libfvad wasm, Silero v5 on onnxruntime-node)', () => {
  let fvad: FvadWasm;
  let model: SileroVadModel;
  let jfk: Int16Array;

  beforeAll(async () => {
    jfk = readWav16k(fixture('jfk.wav'));
    [fvad, model] = await Promise.all([FvadWasm.load(), SileroVadModel.load()]);
  });

  afterAll(async () => {
    await model?.close();
  });

  describe('WebRTC VAD', () => {
    it('hears speech in jfk and none in digital silence', () => {
      const fresh = fvad.create(3);
      expect(fresh.process(new Int16Array(RATE))).toEqual({ voiced: 0, frames: 100 });
      fresh.dispose();
      const vad = fvad.create(3);
      const speech = vad.process(slice(jfk, 0.3, 2.0));
      const hangover = vad.process(new Int16Array(RATE / 5));
      const after = vad.process(new Int16Array(RATE));
      vad.dispose();
      expect(speech.frames).toBe(170);
      expect(speech.voiced / speech.frames).toBeGreaterThan(0.7);
      // libfvad keeps saying "voiced" for a short hangover after speech, then stops.
      expect(hangover.voiced).toBeLessThan(20);
      expect(after).toEqual({ voiced: 0, frames: 100 });
    });

    it('gives the same decisions whatever the chunk sizes', () => {
      const clip = slice(jfk, 0, 4);
      const whole = fvad.create(2);
      const ref = whole.process(clip);
      const pieces = fvad.create(2);
      let voiced = 0;
      let frames = 0;
      const sizes = [1, 159, 161, 7, 480, 1000];
      for (let i = 0, k = 0; i < clip.length; k++) {
        const r = pieces.process(clip.subarray(i, i + sizes[k % sizes.length]));
        voiced += r.voiced;
        frames += r.frames;
        i += sizes[k % sizes.length];
      }
      expect({ voiced, frames }).toEqual(ref);
      whole.dispose();
      pieces.dispose();
    });

    it('keeps instances independent and refuses bad modes and use after dispose', () => {
      expect(() => fvad.create(4)).toThrow(/mode must be an integer 0-3/);
      expect(() => fvad.create(-1)).toThrow(RangeError);
      const vad = fvad.create(0);
      vad.dispose();
      expect(() => vad.process(new Int16Array(160))).toThrow(/disposed/);
      // Many instances (one per stream) live side by side in the one wasm instance.
      const many = Array.from({ length: 300 }, () => fvad.create(3));
      const results = many.map((v) => v.process(slice(jfk, 0.3, 0.6)).voiced);
      expect(new Set(results).size).toBe(1);
      many.forEach((v) => v.dispose());
    });
  });

  describe('Silero VAD v5', () => {
    it('gives high probabilities on speech and low ones on silence', async () => {
      const stream = model.createStream();
      const speech: number[] = [];
      for (const c of chunks(slice(jfk, 5.5, 7.4))) speech.push(await stream.probability(c));
      const silent: number[] = [];
      for (const c of chunks(new Int16Array(RATE))) silent.push(await stream.probability(c));
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      expect(mean(speech)).toBeGreaterThan(0.7);
      expect(Math.max(...silent.slice(8))).toBeLessThan(0.1);
    });

    it('computes the same probabilities for a stream alone and inside a batch', async () => {
      const clip = chunks(slice(jfk, 0, 3));
      const alone = model.createStream();
      const expected: number[] = [];
      for (const c of clip) expected.push(await alone.probability(c));

      // Stream 1 is the same audio; streams 0 and 2 are other audio, in the same batches.
      const others = [chunks(slice(jfk, 5, 8)), chunks(slice(jfk, 8, 11))];
      const streams = [model.createStream(), model.createStream(), model.createStream()];
      const runsBefore = model.stats.runs;
      const got: number[] = [];
      for (let i = 0; i < clip.length; i++) {
        const [, p] = await Promise.all([
          streams[0].probability(others[0][i]),
          streams[1].probability(clip[i]),
          streams[2].probability(others[1][i]),
        ]);
        got.push(p);
      }
      expect(model.stats.runs - runsBefore).toBe(clip.length); // one call per step: batched
      got.forEach((p, i) => expect(p).toBeCloseTo(expected[i], 4));
    });

    it('rejects chunks of the wrong size', async () => {
      await expect(model.createStream().probability(new Int16Array(480))).rejects.toThrow(
        /needs 512 samples, got 480/,
      );
    });

    it('refuses a file that is not a Silero v5 model', async () => {
      await expect(SileroVadModel.load(fixture('jfk.wav'))).rejects.toThrow();
    });
  });

  describe('dual gate', () => {
    it('never runs Silero inside long silences, and catches up before speech', async () => {
      const speech = slice(jfk, 0.26, 2.12);
      const { pcm } = compose([3.0, speech, 3.0]);
      const detector = new DualGateDetector(fvad.create(3), model.createStream(), 0.4);
      let speechFrames = 0;
      for (const c of chunks(pcm)) {
        if ((await detector.classify(c, speechFrames > 0)).speech) speechFrames++;
      }
      detector.dispose();
      const { frames, sileroFrames } = detector.stats;
      const speechChunks = Math.ceil((speech.length + CHUNK) / CHUNK);
      expect(speechFrames).toBeGreaterThan(0.8 * (speech.length / CHUNK));
      // Silero saw the speech (plus at most one catch-up per WebRTC gap), not the 6 s of silence.
      expect(sileroFrames).toBeLessThan(speechChunks + 4 * SILERO_CATCH_UP_FRAMES);
      expect(frames - sileroFrames).toBeGreaterThan((5.5 * RATE) / CHUNK);
    });
  });

  it('rejects pending and new Silero work once the model is closed', async () => {
    const own = await SileroVadModel.load();
    const stream = own.createStream();
    const pending = stream.probability(new Int16Array(CHUNK));
    await own.close();
    await expect(pending).rejects.toThrow(/closed/);
    await expect(stream.probability(new Int16Array(CHUNK))).rejects.toThrow(/closed/);
  });
});
