import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  RANDOM_MODEL_SHA256,
  TINY,
  whisperTensors,
  writeRandomWeightsModel,
} from '../../scripts/random-weights-model';
import { loadNativeBinding } from 'src/stt/engine/native-whisper.binding';
import { jfk } from '../helpers/audio';
import { FIXTURES_DIR, fixture, randomWeightsModel } from '../helpers/fixtures';
import { ServiceProcess } from '../helpers/processes';
import { cleanupPrefix, testEnv, waitFor } from '../helpers/test-env';

interface TensorHeader {
  name: string;
  dims: number[];
  type: number;
}

/** Reads a ggml whisper file's header, vocabulary size and tensor table (not the weights). */
function readModel(path: string) {
  const file = readFileSync(path);
  let pos = 0;
  const int = () => {
    const value = file.readInt32LE(pos);
    pos += 4;
    return value;
  };
  const magic = file.readUInt32LE(0);
  pos = 4;
  const hparams = Array.from({ length: 11 }, int);
  const [nMel, nFft] = [int(), int()];
  const mel = file.subarray(pos, pos + nMel * nFft * 4);
  pos += nMel * nFft * 4;
  const vocab = int();
  for (let i = 0; i < vocab; i++) pos += 4 + file.readUInt32LE(pos);
  const tensors: TensorHeader[] = [];
  while (pos < file.length) {
    const [nDims, nameLength, type] = [int(), int(), int()];
    const dims = Array.from({ length: nDims }, int);
    const name = file.subarray(pos, pos + nameLength).toString();
    pos += nameLength;
    pos += dims.reduce((a, b) => a * b, 1) * (type === 1 ? 2 : 4);
    tensors.push({ name, dims, type });
  }
  return { magic, hparams, nMel, nFft, mel, vocab, tensors, size: file.length, end: pos };
}

describe('test fixtures', () => {
  it('are committed with the checksums their README lists', () => {
    const sums = readFileSync(join(FIXTURES_DIR, 'SHA256SUMS'), 'utf8').trim().split('\n');
    expect(sums).toHaveLength(3);
    for (const line of sums) {
      const [sum, name] = line.split(/\s+/);
      const actual = createHash('sha256')
        .update(readFileSync(fixture(name)))
        .digest('hex');
      expect(`${actual} ${name}`).toBe(`${sum} ${name}`);
    }
  });

  describe('random-weights tiny model', () => {
    const path = randomWeightsModel();
    const model = readModel(path);

    it("has whisper tiny's published dimensions and every tensor at tiny's shape", () => {
      expect(model.magic).toBe(0x67676d6c);
      // n_vocab, n_audio_ctx, n_audio_state, n_audio_head, n_audio_layer, n_text_ctx, n_text_state,
      // n_text_head, n_text_layer, n_mels, ftype: tiny as OpenAI published it, in f16.
      expect(model.hparams).toEqual([51865, 1500, 384, 6, 4, 448, 384, 6, 4, 80, 1]);
      expect([model.nMel, model.nFft]).toEqual([80, 201]);
      expect(model.end).toBe(model.size);
      expect(model.tensors).toEqual(
        whisperTensors(TINY).map(({ name, dims, type }) => ({ name, dims, type })),
      );
      expect(model.tensors).toHaveLength(167);
      const params = model.tensors.reduce((n, t) => n + t.dims.reduce((a, b) => a * b, 1), 0);
      // Tiny has 39 M parameters (OpenAI's model card rounds 37.8 M up).
      expect(params / 1e6).toBeCloseTo(37.76, 1);
      // The mel filter bank is whisper's own, copied from the MIT test model.
      expect(model.mel.equals(readModel(fixture('for-tests-ggml-tiny.bin')).mel)).toBe(true);
    });

    it('is the same bytes every time it is written from the seed', () => {
      const dir = mkdtempSync(join(tmpdir(), 'rt-model-'));
      try {
        expect(writeRandomWeightsModel(join(dir, 'again.bin'))).toBe(RANDOM_MODEL_SHA256);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('loads in whisper.cpp and decodes tokens at full encoder cost', async () => {
      const binding = loadNativeBinding();
      const context = new binding.WhisperContext(path);
      try {
        const pcm = Float32Array.from(jfk().subarray(0, 16000 * 3), (s) => s / 32768);
        const result = await context.transcribe(pcm, {
          language: 'en',
          threads: 2,
          maxTokens: 8,
          temperatureInc: 0,
        });
        const tokens = result.segments.flatMap((s) => s.tokens).filter((t) => !t.special);
        expect(tokens.length).toBeGreaterThan(0);
        expect(result.timings.encodeMs).toBeGreaterThan(0);
        // Language detection runs for real: a language and its probability.
        const detected = await context.transcribe(pcm, {
          language: 'auto',
          threads: 2,
          maxTokens: 1,
        });
        expect(detected.language).toMatch(/^[a-z]{2,3}$/);
        expect(detected.languageProbability).toBeGreaterThan(0);
        expect(detected.languageProbability).toBeLessThanOrEqual(1);
      } finally {
        context.free();
      }
    });

    it('makes the stt role ready', async () => {
      const env = await testEnv({ ROLE: 'stt', WHISPER_MODEL: path });
      const service = new ServiceProcess(env);
      try {
        await waitFor(
          async () =>
            (await fetch(`http://127.0.0.1:${env.HEALTH_PORT}/health/ready`)).status === 200,
          { what: 'stt ready with the random-weights model', timeoutMs: 30_000 },
        );
      } finally {
        service.kill('SIGKILL');
        await service.exited;
        await cleanupPrefix(env.QUEUE_PREFIX);
      }
    });
  });
});
