import { levelFraction } from './level-meter';

describe('levelFraction', () => {
  it('maps -60..0 dBFS onto the meter', () => {
    expect(levelFraction(-30)).toBeCloseTo(0.5);
    expect(levelFraction(-90)).toBe(0);
  });
});
