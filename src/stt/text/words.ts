import { type WordTiming } from '../../contracts/result-messages';
import { type EngineToken } from '../engine/whisper-engine';

const round = (value: number): number => Math.round(value * 1000) / 1000;

/**
 * Joins whisper's sub-word tokens into words (a token that starts with a space starts a word),
 * with times shifted by `offsetSec` (the segment's position in the stream).
 */
export function tokensToWords(tokens: EngineToken[], offsetSec: number): WordTiming[] {
  const words: (WordTiming & { probabilities: number[] })[] = [];
  for (const token of tokens) {
    if (token.special || token.text === '') continue;
    const current = words.at(-1);
    if (!current || /^\s/.test(token.text)) {
      words.push({
        word: token.text.trim(),
        start: token.start,
        end: token.end,
        probabilities: [token.probability],
      });
    } else {
      current.word += token.text;
      current.end = token.end;
      current.probabilities.push(token.probability);
    }
  }
  return words
    .filter((word) => word.word.trim() !== '')
    .map(({ word, start, end, probabilities }) => ({
      word: word.trim(),
      start: round(offsetSec + start),
      end: round(offsetSec + Math.max(start, end)),
      probability: round(probabilities.reduce((a, b) => a + b, 0) / probabilities.length),
    }));
}
