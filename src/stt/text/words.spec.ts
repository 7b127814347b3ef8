import { tokensToWords } from './words';

const t = (text: string, start: number, end: number, probability = 0.9, special = false) => ({
  text,
  start,
  end,
  probability,
  special,
});

describe('tokensToWords', () => {
  it('joins sub-word tokens, skips special tokens, shifts by the segment offset', () => {
    const words = tokensToWords(
      [
        t('[_BEG_]', 0, 0, 1, true),
        t(' Ask', 0.1, 0.4),
        t(' not', 0.4, 0.6),
        t(' coun', 0.6, 0.8, 0.8),
        t('try', 0.8, 1.0, 0.6),
        t('.', 1.0, 1.05),
        t('[_TT_50]', 1, 1, 1, true),
      ],
      10,
    );
    expect(words).toEqual([
      { word: 'Ask', start: 10.1, end: 10.4, probability: 0.9 },
      { word: 'not', start: 10.4, end: 10.6, probability: 0.9 },
      { word: 'country.', start: 10.6, end: 11.05, probability: 0.767 },
    ]);
  });
});
