import { AudioArrivals } from './audio-arrivals';

describe('AudioArrivals', () => {
  it('dates a moment of the audio by the arrival of the push that carried it', () => {
    const arrivals = new AudioArrivals();
    arrivals.record(1600, 1000); // 0-0.1 s
    arrivals.record(1600, 1100); // 0.1-0.2 s
    arrivals.record(8000, 5000); // 0.2-0.7 s, late
    expect(arrivals.arrivalOf(0)).toBe(1000);
    expect(arrivals.arrivalOf(0.05)).toBe(1000);
    expect(arrivals.arrivalOf(0.15)).toBe(1100);
    expect(arrivals.arrivalOf(0.5)).toBe(5000);
    expect(arrivals.arrivalOf(0.7)).toBe(5000);
    expect(arrivals.arrivalOf(0.71)).toBeUndefined();
  });

  it('forgets the oldest pushes beyond twice what it keeps', () => {
    const arrivals = new AudioArrivals(4);
    for (let i = 0; i < 8; i++) arrivals.record(16000, i * 1000);
    // 8 pushes of 1 s: the last 4 (4-8 s) are kept.
    expect(arrivals.arrivalOf(3.5)).toBeUndefined();
    expect(arrivals.arrivalOf(4.5)).toBe(4000);
    expect(arrivals.arrivalOf(8)).toBe(7000);
  });
});
