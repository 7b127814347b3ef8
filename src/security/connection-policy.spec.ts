import { CloseCode } from '../contracts/close-codes';
import { ConnectionPolicy, type PolicyLimits } from './connection-policy';

const LIMITS: PolicyLimits = {
  messagesPerSecond: 10,
  maxRealtimeFactor: 2,
  audioBurstSeconds: 5,
  maxControlBytes: 1000,
  idleTimeoutMs: 10_000,
  maxSessionMs: 60_000,
  maxBufferedBytes: 1000,
  maxPendingAudioBytes: 4000,
  audioSecondsPerHour: null,
};

describe('ConnectionPolicy', () => {
  it('allows the message rate and closes with 4029 beyond it; the bucket refills with time', () => {
    const policy = new ConnectionPolicy(LIMITS, 0);
    for (let i = 0; i < 10; i++) expect(policy.onFrame(0, 10, undefined)).toBeUndefined();
    expect(policy.onFrame(0, 10, undefined)?.code).toBe(CloseCode.RateLimited);
    const later = new ConnectionPolicy(LIMITS, 0);
    for (let i = 0; i < 100; i++) expect(later.onFrame(i * 100, 10, undefined)).toBeUndefined();
  });

  it('allows a burst, then audio at up to maxRealtimeFactor; faster closes with 4029 audio_too_fast', () => {
    const policy = new ConnectionPolicy({ ...LIMITS, messagesPerSecond: 1000 }, 0);
    expect(policy.onFrame(0, 0, 5)).toBeUndefined();
    // 2x real time for 10 s: 0.2 s of audio every 100 ms.
    for (let t = 100; t <= 10_000; t += 100) expect(policy.onFrame(t, 0, 0.2)).toBeUndefined();
    let verdict;
    for (let t = 10_100; !verdict && t < 20_000; t += 100) verdict = policy.onFrame(t, 0, 0.3);
    expect(verdict).toMatchObject({ code: 4029, error: 'audio_too_fast' });
  });

  it('charges audio before it is queued: past the credit or the pending bytes a frame is refused', () => {
    const policy = new ConnectionPolicy({ ...LIMITS, messagesPerSecond: 1000 }, 0);
    expect(policy.admitAudio(0, 4, 1000)).toBeUndefined();
    expect(policy.admitAudio(0, 2, 2000)).toMatchObject({ code: 4029, error: 'audio_too_fast' });
    const backlog = new ConnectionPolicy(LIMITS, 0);
    expect(backlog.admitAudio(0, 0, 4000)).toBeUndefined();
    expect(backlog.admitAudio(0, 0, 4001)).toMatchObject({ code: 4029, error: 'audio_backlog' });
  });

  it('admits the frame that uses the hourly quota up (then closes), refuses the ones after', () => {
    const policy = new ConnectionPolicy({ ...LIMITS, audioSecondsPerHour: 2 }, 0);
    expect(policy.admitAudio(0, 1.5, 0)).toBeUndefined();
    expect(policy.admitAudio(0, 1, 0)).toMatchObject({ code: 4103, admitted: true });
    expect(policy.admitAudio(0, 0.1, 0)).toEqual(expect.not.objectContaining({ admitted: true }));
  });

  it('gives back what an estimate charged beyond the decoded seconds', () => {
    const policy = new ConnectionPolicy({ ...LIMITS, audioSecondsPerHour: 10 }, 0);
    expect(policy.admitAudio(0, 5, 0)).toBeUndefined();
    policy.refund(3);
    expect(policy.onAudio(0, 3)).toBeUndefined();
    expect(policy.onAudio(0, 1)).toMatchObject({ code: 4029 });
  });

  it('closes oversized text frames with 1009 but not binary audio of the same size', () => {
    const policy = new ConnectionPolicy(LIMITS, 0);
    expect(policy.onFrame(0, 1001, undefined)?.code).toBe(1009);
    expect(new ConnectionPolicy(LIMITS, 0).onFrame(0, 1001, 0.01)).toBeUndefined();
  });

  it('counts audio against the hourly quota (4103), starting from the stored usage', () => {
    const policy = new ConnectionPolicy({ ...LIMITS, audioSecondsPerHour: 10 }, 0);
    expect(policy.setQuotaUsed(9)).toBeUndefined();
    expect(policy.onFrame(0, 0, 0.5)).toBeUndefined();
    expect(policy.onFrame(100, 0, 0.5)?.code).toBe(4103);
    expect(
      new ConnectionPolicy({ ...LIMITS, audioSecondsPerHour: 10 }, 0).setQuotaUsed(10)?.code,
    ).toBe(4103);
  });

  it('closes idle (4010), too long (4011) and slow-reading (4013) connections', () => {
    const policy = new ConnectionPolicy(LIMITS, 0);
    expect(policy.check(9_999, 0)).toBeUndefined();
    expect(policy.check(10_000, 0)?.code).toBe(4010);
    expect(policy.check(5_000, 1001)?.code).toBe(4013);
    const busy = new ConnectionPolicy(LIMITS, 0);
    for (let t = 0; t < 60_000; t += 5_000) busy.onFrame(t, 10, undefined);
    expect(busy.check(59_999, 0)).toBeUndefined();
    expect(busy.check(60_000, 0)?.code).toBe(4011);
    expect(
      new ConnectionPolicy({ ...LIMITS, idleTimeoutMs: 0, maxSessionMs: 0 }, 0).check(1e9, 0),
    ).toBeUndefined();
  });
});
