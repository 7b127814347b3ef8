import { floatToPcm16, levelDb, levelFraction, pcm16ToFloat } from './pcm16';

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
