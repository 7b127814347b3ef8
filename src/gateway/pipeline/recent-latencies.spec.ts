import { RecentLatencies } from './load-monitor.service';

describe('RecentLatencies', () => {
  it('gives the median of the finals delivered in the window, nothing once they are old', () => {
    const window = new RecentLatencies(10_000, 5);
    expect(window.median(0)).toBeUndefined();
    window.add(100, 0);
    window.add(3000, 1000);
    window.add(2500, 2000);
    expect(window.median(2000)).toBe(2500);
    expect(window.median(10_500)).toBe(2500); // the first one left the window
    expect(window.median(30_000)).toBeUndefined();
  });

  it('keeps a bounded number of samples', () => {
    const window = new RecentLatencies(10_000, 3);
    for (const ms of [5000, 5000, 5000, 1, 1, 1]) window.add(ms, 0);
    expect(window.median(0)).toBe(1);
  });
});
