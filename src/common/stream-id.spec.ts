import { compareStreamIds, isStreamId, minStreamId, streamIdBefore } from './stream-id';

describe('stream ids', () => {
  it('compares by milliseconds, then sequence, exactly beyond 2^53', () => {
    expect(compareStreamIds('1-0', '2-0')).toBe(-1);
    expect(compareStreamIds('2-5', '2-10')).toBe(-1);
    expect(compareStreamIds('2-10', '2-10')).toBe(0);
    expect(compareStreamIds('3-0', '2-99')).toBe(1);
    expect(compareStreamIds('5-9007199254740993', '5-9007199254740992')).toBe(1);
    expect(compareStreamIds('0', '1-0')).toBe(-1);
    expect(minStreamId('7-1', '7-0')).toBe('7-0');
  });

  it('steps back one id so a read "after" it includes the original', () => {
    expect(streamIdBefore('100-3')).toBe('100-2');
    expect(streamIdBefore('100-0')).toBe('99-18446744073709551615');
    expect(streamIdBefore('0-0')).toBe('0');
    expect(compareStreamIds(streamIdBefore('100-0'), '100-0')).toBe(-1);
  });

  it('rejects what is not a stream id', () => {
    expect(isStreamId('1-2')).toBe(true);
    expect(isStreamId('0')).toBe(true);
    expect(isStreamId('abc')).toBe(false);
    expect(() => compareStreamIds('x', '1-0')).toThrow('Not a stream id: x');
  });
});
