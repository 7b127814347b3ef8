import { captionLines, captionSource, lastSentence, wrapLines } from './captions';

describe('captions', () => {
  it('shows only the current sentence', () => {
    expect(lastSentence('First one. Second one is here')).toBe('Second one is here');
    expect(lastSentence('Only this.')).toBe('Only this.');
    expect(lastSentence('Done! Next? Last')).toBe('Last');
    expect(lastSentence('  ')).toBe('');
  });

  it('wraps into lines and keeps the last two', () => {
    expect(wrapLines('aa bb cc dd', 5)).toEqual(['aa bb', 'cc dd']);
    expect(wrapLines('abcdefgh ij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(captionLines('one two three four five six', 9)).toEqual(['four five', 'six']);
  });

  it('holds the last final for a while, then clears', () => {
    expect(captionSource('typing', 'done', 1)).toBe('typing');
    expect(captionSource('', 'done', 1)).toBe('done');
    expect(captionSource('', 'done', 10)).toBe('');
  });
});
