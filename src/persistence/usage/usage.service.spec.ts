import { bucketUsage, hourStart } from './usage.service';

const HOUR = 3_600_000;
const DAY = Date.UTC(2026, 2, 1);

describe('usage buckets', () => {
  it('floors to the UTC hour', () => {
    expect(hourStart(DAY + HOUR + 59_999)).toBe(DAY + HOUR);
  });

  it('sums hours into days per key, sorted by time then key', () => {
    const rows = [
      { keyId: 'b', hourStart: DAY + 2 * HOUR, audioSeconds: 1.1, sessions: 1 },
      { keyId: 'a', hourStart: DAY, audioSeconds: 2.2, sessions: 1 },
      { keyId: 'a', hourStart: DAY + 23 * HOUR, audioSeconds: 0.1, sessions: 0 },
      { keyId: 'a', hourStart: DAY + 24 * HOUR, audioSeconds: 5, sessions: 2 },
    ];
    expect(bucketUsage(rows, 'day')).toEqual([
      { keyId: 'a', start: new Date(DAY).toISOString(), audioSeconds: 2.3, sessions: 1 },
      { keyId: 'b', start: new Date(DAY).toISOString(), audioSeconds: 1.1, sessions: 1 },
      { keyId: 'a', start: new Date(DAY + 24 * HOUR).toISOString(), audioSeconds: 5, sessions: 2 },
    ]);
    expect(bucketUsage(rows, 'hour')).toHaveLength(4);
  });
});
