import { settleSpeculation } from './speculation-settlement';

describe('settleSpeculation (the worker, against made-up verdicts)', () => {
  const confirm = { kind: 'confirm' as const, at: 1_764_480_000_123 };
  const cancel = { kind: 'cancel' as const };

  it('writes the final itself when confirmed and its offer was still there', () => {
    expect(settleSpeculation({ verdict: confirm, withdrawn: true })).toEqual({
      action: 'write_final',
      verdict: confirm,
    });
  });

  it("only follows up when the gateway's confirm appended the offered final", () => {
    expect(settleSpeculation({ verdict: confirm, withdrawn: false })).toEqual({
      action: 'follow_gateway_append',
    });
  });

  it('drops a cancelled speculation as wasted, whoever took the offer', () => {
    for (const withdrawn of [true, false]) {
      expect(settleSpeculation({ verdict: cancel, withdrawn })).toEqual({
        action: 'drop',
        why: 'wasted',
      });
    }
  });

  it('drops a speculation that never got a verdict as expired', () => {
    expect(settleSpeculation({ verdict: null, withdrawn: true })).toEqual({
      action: 'drop',
      why: 'expired',
    });
    expect(settleSpeculation({ verdict: null, withdrawn: false })).toEqual({
      action: 'drop',
      why: 'expired',
    });
  });
});
