import { deflateSync } from 'node:zlib';
import { type SegmentDetail } from '../../contracts/result-messages';
import { type FilteredSegment } from './hallucination-filter';

const round = (value: number, digits = 3): number => {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
};

/** Probabilities are floored here so that log() of a zero never yields -Infinity. */
const MIN_PROBABILITY = 1e-10;

/** UTF-8 length over zlib-compressed length, as whisper computes its repetition check. */
export function compressionRatio(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length === 0) return 0;
  return bytes.length / deflateSync(bytes).length;
}

/**
 * OpenAI's per-segment fields from the segments the hallucination filter kept, times shifted by
 * `offsetSec` (the segment's place in the stream) and kept within the audio's `durationSec`
 * (whisper's timestamp tokens can point past the end of a short input). Only text tokens count: timestamps and other
 * special tokens carry no word and no meaningful probability.
 */
export function segmentDetails(
  kept: FilteredSegment[],
  offsetSec: number,
  durationSec: number,
): SegmentDetail[] {
  const within = (seconds: number): number => Math.min(Math.max(seconds, 0), durationSec);
  return kept.map(({ segment, text }) => {
    const textTokens = segment.tokens.filter((token) => !token.special);
    const logprobs = textTokens.map((token) =>
      Math.log(Math.max(token.probability, MIN_PROBABILITY)),
    );
    return {
      start: round(offsetSec + within(segment.start)),
      end: round(offsetSec + within(Math.max(segment.start, segment.end))),
      text,
      tokens: textTokens.flatMap((token) => (token.id === undefined ? [] : [token.id])),
      avgLogprob: logprobs.length
        ? round(logprobs.reduce((a, b) => a + b, 0) / logprobs.length, 4)
        : 0,
      compressionRatio: round(compressionRatio(text), 4),
      noSpeechProb: round(segment.noSpeechProb, 4),
    };
  });
}
