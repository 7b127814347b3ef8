import {
  agree,
  type AgreementState,
  EMPTY_AGREEMENT,
  type HypothesisWord,
  mergeTail,
  sameWord,
  tailStart,
  wordsText,
} from './local-agreement';

/** Words one per 0.5 s starting at `from`. */
const words = (text: string, from = 0): HypothesisWord[] =>
  text
    .split(' ')
    .filter(Boolean)
    .map((word, i) => ({ word, start: from + i * 0.5, end: from + i * 0.5 + 0.4 }));

describe('LocalAgreement-2', () => {
  it('commits the prefix two consecutive hypotheses share, never more, never less', () => {
    let state: AgreementState = EMPTY_AGREEMENT;
    state = agree(state, words('and so my'), 1);
    expect(wordsText(state.committed)).toBe(''); // nothing to agree with yet
    expect(wordsText(state.tentative)).toBe('and so my');
    state = agree(state, words('And so, my fellow'), 2);
    expect(wordsText(state.committed)).toBe('And so, my');
    expect(wordsText(state.tentative)).toBe('fellow');
    state = agree(state, words('fellow americans', 1.5), 3);
    expect(wordsText(state.committed)).toBe('And so, my fellow');
    expect(wordsText(state.tentative)).toBe('americans');
    // The current hypothesis's spelling of an agreed word is kept.
    state = agree(state, words('Americans ask', 2), 4);
    expect(wordsText(state.committed)).toBe('And so, my fellow Americans');
    // A disagreement commits nothing new, and never takes back what was committed.
    state = agree(state, words('not', 3), 5);
    expect(wordsText(state.committed)).toBe('And so, my fellow Americans');
    expect(wordsText(state.tentative)).toBe('not');
    expect(state.revision).toBe(5);
  });

  it('compares words without case and surrounding punctuation', () => {
    expect(sameWord('Hello,', 'hello')).toBe(true);
    expect(sameWord('"Yes."', 'yes')).toBe(true);
    expect(sameWord('yes', 'yet')).toBe(false);
    expect(sameWord('...', '...')).toBe(false);
  });

  it('decodes from the end of the committed words, keeping at least a second of audio', () => {
    const state = agree(agree(EMPTY_AGREEMENT, words('a b c d'), 1), words('a b c x'), 2);
    expect(state.committed.at(-1)!.end).toBeCloseTo(1.4);
    expect(tailStart(state, 5)).toBeCloseTo(1.4);
    expect(tailStart(state, 2)).toBeCloseTo(1);
    expect(tailStart(EMPTY_AGREEMENT, 5)).toBe(0);
  });

  it('merges a tail decode: times shifted, words heard again in the overlap dropped', () => {
    const state = agree(
      agree(EMPTY_AGREEMENT, words('one two three'), 1),
      words('one two four'),
      2,
    );
    // Committed "one two" ends at 0.9 s; the tail starts there.
    const tail = [
      { word: 'two', start: 0, end: 0.1 }, // the committed word again
      { word: 'three', start: 0.2, end: 0.5 },
      { word: 'four', start: 0.6, end: 0.9 },
    ];
    const merged = mergeTail(state, tail, 0.9);
    expect(wordsText(merged)).toBe('three four');
    expect(merged[0].start).toBeCloseTo(1.1);
    // A tail that started earlier than the committed end: overlapping words go.
    const early = mergeTail(
      state,
      [{ word: 'two', start: 0, end: 0.3 }, ...words('five', 0.6)],
      0.3,
    );
    expect(wordsText(early)).toBe('five');
  });
});
