import { compareStreamIds } from '../../common/stream-id';
import { replayStart } from './replay-start';

describe('replayStart', () => {
  it('starts replay after the last final the client saw, or exactly after last_id', () => {
    expect(replayStart(0, undefined, '0')).toBe('0');
    expect(replayStart(2, undefined, '1-1')).toBe('2-0');
    // The server had sent more: the client has final 2 and its translations sent before 3.
    expect(replayStart(2, undefined, '4-0')).toBe(`2-${Number.MAX_SAFE_INTEGER}`);
    expect(compareStreamIds('2-1', replayStart(2, undefined, '4-0'))).toBe(-1);
    expect(compareStreamIds('3-0', replayStart(2, undefined, '4-0'))).toBe(1);
    // Translations of final 2 that already reached the socket are not sent again.
    expect(replayStart(2, undefined, '2-2')).toBe('2-2');
    expect(replayStart(2, '2-1', '2-2')).toBe('2-1');
    expect(replayStart(undefined, undefined, '5-1')).toBe('5-1');
  });
});
