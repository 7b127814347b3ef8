import { levelDb, normalizePeak } from './level';

describe('levelDb', () => {
  it('measures the level in dBFS', () => {
    expect(levelDb(new Float32Array(100))).toBe(-100);
    expect(levelDb(new Float32Array(100).fill(1))).toBeCloseTo(0);
  });
});

describe('normalizePeak', () => {
  it('brings the peak to the target, leaves silence alone, caps the gain', () => {
    expect(
      Math.max(...normalizePeak(Float32Array.from([0.1, -0.3, 0.2])).map(Math.abs)),
    ).toBeCloseTo(0.9);
    const silence = new Float32Array(10);
    expect(normalizePeak(silence)).toBe(silence);
    expect(
      Math.max(...normalizePeak(Float32Array.from([0.001, -0.002])).map(Math.abs)),
    ).toBeCloseTo(0.04);
  });
});
