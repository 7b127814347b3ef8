import { PcmDecoder } from './pcm-decoder';

function s16(values: number[]): Buffer {
  const buffer = Buffer.alloc(values.length * 2);
  values.forEach((v, i) => buffer.writeInt16LE(v, i * 2));
  return buffer;
}

describe('PcmDecoder', () => {
  it('passes 16 kHz PCM16 through sample for sample', () => {
    const decoder = new PcmDecoder('pcm_s16le', 16000);
    expect(Array.from(decoder.push(s16([1, -2, 32767, -32768])))).toEqual([1, -2, 32767, -32768]);
    expect(decoder.secondsIn).toBeCloseTo(4 / 16000, 9);
  });

  it('keeps the odd byte of a frame for the next one instead of dropping it', () => {
    const decoder = new PcmDecoder('pcm_s16le', 16000);
    const bytes = s16([1000, -1000, 258]);
    expect(Array.from(decoder.push(bytes.subarray(0, 3)))).toEqual([1000]);
    expect(Array.from(decoder.push(bytes.subarray(3, 4)))).toEqual([-1000]);
    expect(Array.from(decoder.push(bytes.subarray(4, 5)))).toEqual([]);
    expect(Array.from(decoder.push(bytes.subarray(5)))).toEqual([258]);
  });

  it('decodes float32 little-endian, split at any byte, to PCM16 and clips out-of-range values', () => {
    const decoder = new PcmDecoder('pcm_f32le', 16000);
    const buffer = Buffer.alloc(16);
    [0.5, -0.25, 2, Number.NaN].forEach((v, i) => buffer.writeFloatLE(v, i * 4));
    const out = [...decoder.push(buffer.subarray(0, 6)), ...decoder.push(buffer.subarray(6))];
    expect(out).toEqual([16384, -8192, 32767, 0]);
  });

  it('resamples 48 kHz to 16 kHz: a third as many samples', () => {
    const decoder = new PcmDecoder('pcm_s16le', 48000);
    const values = Array.from({ length: 48000 }, (_, i) =>
      Math.round(8000 * Math.sin((2 * Math.PI * 200 * i) / 48000)),
    );
    const out = decoder.push(s16(values)).length + decoder.flush().length;
    expect(out).toBe(16000);
  });
});
