import { readFileSync } from 'node:fs';
import { fixture } from '../../../test/helpers/fixtures';
import { loadNativeBinding } from './native-whisper.binding';

describe('native whisper.cpp addon (as npm ci built it)', () => {
  const binding = loadNativeBinding();

  it('is whisper.cpp 1.9 compiled for the vector units this CPU has', () => {
    expect(binding.version).toMatch(/^1\.9\./);
    const cpu = readFileSync('/proc/cpuinfo', 'utf8');
    const info = binding.systemInfo();
    for (const [flag, name] of [
      ['avx2', 'AVX2'],
      ['fma', 'FMA'],
      ['f16c', 'F16C'],
    ]) {
      if (new RegExp(`\\b${flag}\\b`).test(cpu)) expect(info).toContain(`${name} = 1`);
    }
  });

  it('transcribes with the test model, one call per context at a time, and rejects bad input', async () => {
    const context = new binding.WhisperContext(fixture('for-tests-ggml-tiny.en.bin'));
    try {
      const pcm = new Float32Array(16000);
      const running = context.transcribe(pcm, { language: 'en', threads: 1, audioCtx: 128 });
      expect(context.busy).toBe(true);
      expect(() => context.transcribe(pcm, {})).toThrow(/busy/);
      const result = await running;
      expect(result.language).toBe('en');
      expect(Array.isArray(result.segments)).toBe(true);
      expect(result.timings.encodeMs).toBeGreaterThan(0);
      expect(context.busy).toBe(false);
      expect(() => context.transcribe(new Int16Array(10) as unknown as Float32Array, {})).toThrow(
        /Float32Array/,
      );
    } finally {
      context.free();
    }
    expect(() => new binding.WhisperContext('/nonexistent/model.bin')).toThrow(
      /could not load the model file/,
    );
  });

  it('runs several contexts at once on one shared model, which lives until the last context is freed', async () => {
    const model = new binding.WhisperModel(fixture('for-tests-ggml-tiny.en.bin'));
    const contexts = [new binding.WhisperContext(model), new binding.WhisperContext(model)];
    model.free(); // the contexts keep the weights
    try {
      const pcm = new Float32Array(16000);
      const options = { language: 'en', threads: 1, audioCtx: 128 };
      const results = await Promise.all(contexts.map((c) => c.transcribe(pcm, options)));
      for (const result of results) {
        expect(result.language).toBe('en');
        expect(result.timings.encodeMs).toBeGreaterThan(0);
      }
      contexts[0].free();
      await expect(contexts[1].transcribe(pcm, options)).resolves.toHaveProperty('language', 'en');
    } finally {
      for (const context of contexts) context.free();
    }
    expect(() => new binding.WhisperContext(model)).toThrow(/freed/);
  });
});
