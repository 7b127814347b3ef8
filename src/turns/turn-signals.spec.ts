import { judgeTurn } from './turn-completeness';
import { judgeTurnWithAudio } from './turn-signals';

const options = { minConfidence: 0.5 };
const text = (t: string) => judgeTurn({ text: t, language: 'en' }, options);
const combined = (t: string, probability: number | undefined, threshold = 0.5) =>
  judgeTurnWithAudio({ text: t, language: 'en' }, options, probability, threshold);

describe('judgeTurnWithAudio', () => {
  it('is the text verdict alone without an audio probability', () => {
    expect(combined('That is all.', undefined)).toEqual(text('That is all.'));
    expect(combined('book a table', NaN)).toEqual(text('book a table'));
  });

  it('keeps a turn open on words that continue, whatever the audio says', () => {
    for (const t of ['a table for', 'a table for.', 'I want um', 'and then...', 'Ask Mr.']) {
      expect(combined(t, 0.99)).toMatchObject({ verdict: 'incomplete' });
    }
  });

  it('lets the audio decide a punctuated or unpunctuated turn at the threshold', () => {
    expect(combined('That is all.', 0.2)).toEqual({
      verdict: 'incomplete',
      reason: 'audio-model',
      probability: 0.2,
    });
    expect(combined('that is all', 0.8)).toEqual({
      verdict: 'complete',
      reason: 'audio-model',
      probability: 0.8,
    });
    expect(combined('that is all', 0.5)).toMatchObject({
      verdict: 'complete',
    });
    expect(combined('that is all', 0.49)).toMatchObject({
      verdict: 'incomplete',
    });
  });
});
