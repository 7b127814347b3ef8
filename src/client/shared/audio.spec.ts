import { StreamingResampler, floatToPcm16, levelDb, levelFraction, pcm16ToFloat } from './audio';

function sine(rate: number, freq: number, seconds: number): Float32Array {
  const out = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = 0.5 * Math.sin((2 * Math.PI * freq * i) / rate);
  return out;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('StreamingResampler', () => {
  it('turns 48 kHz into 16 kHz with the right length and keeps a tone', () => {
    const input = sine(48000, 440, 1);
    const out = new StreamingResampler(48000).push(input);
    expect(Math.abs(out.length - 16000)).toBeLessThanOrEqual(2);
    // A 440 Hz tone at 16 kHz: compare against the ideal samples.
    let err = 0;
    for (let i = 10; i < out.length - 10; i++) {
      err = Math.max(err, Math.abs(out[i] - 0.5 * Math.sin((2 * Math.PI * 440 * i) / 16000)));
    }
    expect(err).toBeLessThan(0.03);
  });

  it('gives the same output whatever the chunking', () => {
    const input = sine(44100, 300, 0.5);
    const whole = new StreamingResampler(44100).push(input);
    const r = new StreamingResampler(44100);
    const parts: Float32Array[] = [];
    for (let i = 0; i < input.length; i += 128) parts.push(r.push(input.subarray(i, i + 128)));
    const chunked = concat(parts);
    expect(chunked.length).toBe(whole.length);
    for (let i = 0; i < whole.length; i++) expect(chunked[i]).toBeCloseTo(whole[i], 5);
  });

  it('upsamples 8 kHz and passes 16 kHz through', () => {
    expect(
      Math.abs(new StreamingResampler(8000).push(sine(8000, 200, 1)).length - 16000),
    ).toBeLessThanOrEqual(2);
    const same = sine(16000, 200, 0.1);
    expect(new StreamingResampler(16000).push(same)).toEqual(same);
  });
});

describe('PCM16 and level', () => {
  it('converts and clips', () => {
    expect(Array.from(floatToPcm16(Float32Array.from([0, 1, -1, 2, -2, 0.5])))).toEqual([
      0, 32767, -32768, 32767, -32768, 16384,
    ]);
    expect(pcm16ToFloat(Int16Array.from([-32768, 16384]))[1]).toBeCloseTo(0.5);
  });

  it('measures the level in dBFS', () => {
    expect(levelDb(new Float32Array(100))).toBe(-100);
    expect(levelDb(new Float32Array(100).fill(1))).toBeCloseTo(0);
    expect(levelFraction(-30)).toBeCloseTo(0.5);
    expect(levelFraction(-90)).toBe(0);
  });
});
