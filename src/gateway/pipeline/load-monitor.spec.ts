import { interimBackoff } from './load-monitor.service';

describe('interimBackoff', () => {
  it('keeps every interim while few jobs wait, then doubles the spacing as the queue doubles', () => {
    expect([0, 1, 2].map((d) => interimBackoff(d, 2))).toEqual([1, 1, 1]);
    expect([3, 4, 5, 8, 9, 16, 17, 1000].map((d) => interimBackoff(d, 2))).toEqual([
      2, 2, 4, 4, 8, 8, 8, 8,
    ]);
    expect(interimBackoff(1, 0)).toBe(1);
    expect(interimBackoff(3, 0)).toBe(4);
  });
});
