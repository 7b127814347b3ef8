import { type EngineSegment } from '../engine/whisper-engine';
import { collapseRepeats, dropReason, filterSegments } from './hallucination-filter';

function segment(text: string, noSpeechProb = 0.05, probability = 0.9): EngineSegment {
  return {
    start: 0,
    end: 2,
    text,
    noSpeechProb,
    tokens: text
      .trim()
      .split(/\s+/)
      .map((word, i) => ({
        text: ` ${word}`,
        start: i * 0.2,
        end: i * 0.2 + 0.2,
        probability,
        special: false,
      })),
  };
}

describe('hallucination filter', () => {
  it.each([
    ['real speech', segment(' Ask not what your country can do for you.'), undefined],
    ['no-speech probability above threshold', segment(' Hello there.', 0.8), 'no_speech'],
    ['"Thank you for watching"', segment(' Thank you for watching!'), 'known_hallucination'],
    ['"Thanks for watching." in caps', segment(' THANKS FOR WATCHING.'), 'known_hallucination'],
    ['subtitle credits', segment(' Subtitles by the Amara.org community'), 'known_hallucination'],
    ['"Please subscribe"', segment(' Please subscribe.'), 'known_hallucination'],
    ['only an annotation', segment(' [BLANK_AUDIO]'), 'empty'],
    ['only music notes', segment(' ♪ ♪'), 'empty'],
    ['(music) annotation', segment(' (Music)'), 'empty'],
    ['unsure "Thank you."', segment(' Thank you.', 0.2, 0.3), 'unsure_short_phrase'],
    ['confident "Thank you."', segment(' Thank you.', 0.05, 0.95), undefined],
    ['unsure "you"', segment(' you', 0.1, 0.2), 'unsure_short_phrase'],
  ])('%s', (_name, input, reason) => {
    expect(
      dropReason(input, { noSpeechThreshold: 0.6, suspectMinProbability: 0.6, maxRepeats: 2 }),
    ).toBe(reason);
  });

  it.each([
    ['I am sorry. I am sorry. I am sorry. I am sorry.', 'I am sorry.'],
    ['the the the the the end', 'the end'],
    ['go go now', 'go go now'],
    ['no repeats at all here', 'no repeats at all here'],
    ['Yes, yes, yes, yes, yes.', 'Yes,'],
  ])('collapses loops: %s', (input, expected) => {
    expect(collapseRepeats(input, 2)).toBe(expected);
  });

  it('drops hallucinated segments, cleans annotations, drops a repeated sentence', () => {
    const kept = filterSegments([
      segment(' Hello world. [laughs]'),
      segment(' Hello world.'),
      segment(' Thank you for watching.'),
      segment(' Second sentence.'),
    ]);
    expect(kept.map((k) => k.text)).toEqual(['Hello world.', 'Second sentence.']);
    expect(kept[0].rewritten).toBe(true);
    expect(kept[1].rewritten).toBe(false);
  });
});
