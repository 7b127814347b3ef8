import { cachedFilterCount, resample, StreamingResampler } from './streaming-resampler';

function sine(rate: number, hz: number, seconds: number, amplitude = 0.5): Float32Array {
  const out = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / rate);
  return out;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function runAll(resampler: StreamingResampler, input: Float32Array, chunk: number): Float32Array {
  const parts: Float32Array[] = [];
  for (let i = 0; i < input.length; i += chunk) {
    parts.push(resampler.push(input.subarray(i, i + chunk)));
  }
  parts.push(resampler.flush());
  return concat(parts);
}

/** Amplitude of frequency `hz` in `signal` (single-bin DFT), ignoring the edges. */
function amplitudeAt(signal: Float32Array, rate: number, hz: number): number {
  const from = Math.floor(signal.length * 0.1);
  const to = Math.floor(signal.length * 0.9);
  let re = 0;
  let im = 0;
  for (let i = from; i < to; i++) {
    re += signal[i] * Math.cos((2 * Math.PI * hz * i) / rate);
    im += signal[i] * Math.sin((2 * Math.PI * hz * i) / rate);
  }
  return (2 * Math.hypot(re, im)) / (to - from);
}

describe('StreamingResampler', () => {
  it.each([8000, 11025, 22050, 44100, 48000, 44101, 12345])(
    'converts %i Hz to 16 kHz keeping length, pitch and level',
    (rate) => {
      const input = sine(rate, 440, 1);
      const out = runAll(new StreamingResampler(rate, 16000), input, 1000);
      expect(Math.abs(out.length - 16000)).toBeLessThanOrEqual(1);
      expect(amplitudeAt(out, 16000, 440)).toBeCloseTo(0.5, 1);
      expect(amplitudeAt(out, 16000, 1000)).toBeLessThan(0.01);
    },
  );

  it('removes tones above the new Nyquist frequency instead of folding them down', () => {
    // 12 kHz at 48 kHz would alias to 4 kHz at 16 kHz without the low-pass.
    const input = sine(48000, 12000, 1);
    const out = runAll(new StreamingResampler(48000, 16000), input, 480);
    expect(amplitudeAt(out, 16000, 4000)).toBeLessThan(0.01);
  });

  it('gives the same samples whatever the chunk sizes', () => {
    const input = sine(44100, 523, 0.5);
    const whole = runAll(new StreamingResampler(44100, 16000), input, input.length);
    const resampler = new StreamingResampler(44100, 16000);
    const parts: Float32Array[] = [];
    let i = 0;
    for (const size of [1, 7, 300, 2, 4096, 13]) {
      parts.push(resampler.push(input.subarray(i, i + size)));
      i += size;
    }
    parts.push(resampler.push(input.subarray(i)), resampler.flush());
    const chunked = concat(parts);
    expect(chunked.length).toBe(whole.length);
    for (let k = 0; k < whole.length; k++) expect(chunked[k]).toBeCloseTo(whole[k], 6);
  });

  it('keeps the signal in time: no delay once the held-back samples are flushed', () => {
    const out = resample(sine(48000, 440, 1), 48000, 16000);
    expect(out.length).toBe(16000);
    let err = 0;
    for (let i = 30; i < out.length - 30; i++) {
      err = Math.max(err, Math.abs(out[i] - 0.5 * Math.sin((2 * Math.PI * 440 * i) / 16000)));
    }
    expect(err).toBeLessThan(0.005);
  });

  it('resamples a whole signal as push then flush does', () => {
    const input = sine(22050, 300, 0.3);
    expect(resample(input, 22050, 16000)).toEqual(
      runAll(new StreamingResampler(22050, 16000), input, 512),
    );
    expect(resample(input, 22050, 22050)).toBe(input);
  });

  it('passes 16 kHz through untouched', () => {
    const resampler = new StreamingResampler(16000, 16000);
    const input = sine(16000, 300, 0.1);
    expect(resampler.push(input)).toBe(input);
    expect(resampler.flush().length).toBe(0);
  });
});

describe('filter cache', () => {
  it('keeps a bounded number of filters, however many rates are asked for', () => {
    for (let rate = 8001; rate < 8001 + 2 * 40; rate += 2) new StreamingResampler(rate, 16000);
    expect(cachedFilterCount()).toBeLessThanOrEqual(12);
    // An evicted filter is rebuilt on demand and still resamples correctly.
    const out = resample(sine(8001, 440, 0.5), 8001, 16000);
    expect(out.length).toBe(Math.ceil((sine(8001, 440, 0.5).length * 16000) / 8001));
  });
});
