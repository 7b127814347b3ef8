import { buildPrompt } from './prompt-builder';

describe('buildPrompt', () => {
  it.each([
    [null, ''],
    [undefined, ''],
    ['   ', ''],
    ['Hello  there,\n friend.', 'Hello there, friend.'],
  ])('%p -> %p', (input, expected) => {
    expect(buildPrompt(input)).toBe(expected);
  });

  it('keeps the end of a long text, cut at a word boundary', () => {
    const words = Array.from({ length: 100 }, (_, i) => `word${i}`).join(' ');
    const prompt = buildPrompt(words, 50);
    expect(prompt.length).toBeLessThanOrEqual(50);
    expect(prompt.endsWith('word99')).toBe(true);
    expect(prompt.startsWith('word')).toBe(true);
    expect(words.endsWith(prompt)).toBe(true);
  });
});
