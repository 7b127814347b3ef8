import { percentile, summarize } from './stats';

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('summarizes', () => {
    expect(summarize([1, 2, 3, 4])).toEqual({
      count: 4,
      p50: 2,
      p95: 4,
      p99: 4,
      mean: 2.5,
      max: 4,
    });
  });
});
