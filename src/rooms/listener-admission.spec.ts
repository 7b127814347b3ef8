import { addressGroup, ListenerAdmission } from './listener-admission';

describe('addressGroup', () => {
  it('groups IPv6 by /64, keeps IPv4, unwraps IPv4-mapped addresses', () => {
    expect(addressGroup('2001:db8:1:2::10')).toBe('2001:db8:1:2::/64');
    expect(addressGroup('2001:0db8:0001:0002:ffff:0:0:20')).toBe('2001:db8:1:2::/64');
    expect(addressGroup('::1')).toBe('0:0:0:0::/64');
    expect(addressGroup('fe80::1')).toBe('fe80:0:0:0::/64');
    expect(addressGroup('198.51.100.7')).toBe('198.51.100.7');
    expect(addressGroup('::ffff:198.51.100.7')).toBe('198.51.100.7');
  });
});

describe('ListenerAdmission', () => {
  const limits = { perToken: 2, perAddress: 3, connectsPerMinute: 4 };

  it('caps places per token and per address; a release gives the place back once', () => {
    const admission = new ListenerAdmission(limits);
    const a = admission.take('t1', 'x');
    admission.take('t1', 'y');
    expect(() => admission.take('t1', 'z')).toThrow(
      expect.objectContaining({ code: 'token_full', status: 429 }),
    );
    admission.take('t2', 'x');
    admission.take('t3', 'x');
    expect(() => admission.take('t4', 'x')).toThrow(
      expect.objectContaining({ code: 'address_full' }),
    );
    a();
    a();
    admission.take('t1', 'x');
    expect(() => admission.take('t5', 'x')).toThrow(
      expect.objectContaining({ code: 'address_full' }),
    );
  });

  it('limits attempts per address per minute, in windows', () => {
    const admission = new ListenerAdmission(limits);
    for (let i = 0; i < 4; i++) admission.attempt('x', 1000);
    expect(() => admission.attempt('x', 1000)).toThrow(
      expect.objectContaining({ code: 'too_many_connects' }),
    );
    admission.attempt('y', 1000);
    admission.attempt('x', 61_000);
  });
});
