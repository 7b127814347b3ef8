import { SendLog } from './send-log';

describe('SendLog', () => {
  it('finds when the audio up to a position was sent', () => {
    const log = new SendLog();
    expect(log.sentAt(1)).toBeUndefined();
    log.record(0.1, 1000);
    log.record(0.2, 1100);
    log.record(0.3, 1200);
    expect(log.sentAt(0.05)).toBe(1000);
    expect(log.sentAt(0.1)).toBe(1000);
    expect(log.sentAt(0.15)).toBe(1100);
    expect(log.sentAt(0.3)).toBe(1200);
    expect(log.sentAt(9)).toBe(1200);
  });
});
