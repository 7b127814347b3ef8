import { TelephonyAudioDecoder } from './telephony-audio-decoder';

function pcm16(...samples: number[]): Buffer {
  const out = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => out.writeInt16LE(s, i * 2));
  return out;
}

describe('TelephonyAudioDecoder', () => {
  it('passes 16 kHz mono linear16 through, whatever the frame boundaries', () => {
    const decoder = new TelephonyAudioDecoder('linear16', 16000, 1);
    const bytes = pcm16(100, -200, 300, -400);
    const out = [...decoder.push(bytes.subarray(0, 3)), ...decoder.push(bytes.subarray(3))];
    expect(out).toEqual([100, -200, 300, -400]);
    expect(decoder.secondsIn).toBeCloseTo(4 / 16000);
  });

  it('mixes interleaved channels down to their mean', () => {
    const decoder = new TelephonyAudioDecoder('linear16', 16000, 2);
    expect([...decoder.push(pcm16(1000, 3000, -500, 500))]).toEqual([2000, 0]);
  });

  it('expands mu-law and resamples 8 kHz telephony to 16 kHz', () => {
    const decoder = new TelephonyAudioDecoder('mulaw', 8000, 1);
    const out = [...decoder.push(Buffer.alloc(800, 0xff)), ...decoder.flush()];
    expect(out.length).toBeGreaterThanOrEqual(1590);
    expect(out.length).toBeLessThanOrEqual(1610);
    expect(out.every((s) => s === 0)).toBe(true);
    expect(decoder.secondsIn).toBeCloseTo(0.1);
  });
});
