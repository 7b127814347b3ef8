import {
  judgeTurn,
  type TurnCandidate,
  type TurnJudgeOptions,
  type TurnJudgement,
} from './turn-completeness';

/** A second, acoustic opinion on a turn: the probability (0-1) that its speaker has finished. */
export interface TurnAudioSignal {
  probability(pcm16k: Int16Array): Promise<number>;
}

/** Text reasons that say more words are coming, whatever the voice does. */
const LEXICAL: ReadonlySet<string> = new Set([
  'empty',
  'ellipsis',
  'continuation-word',
  'filler',
  'leading-abbreviation',
  'ordinal-number',
]);

export type CombinedTurnJudgement =
  | TurnJudgement
  | { verdict: 'complete' | 'incomplete'; reason: 'audio-model'; probability: number };

/**
 * The turn's verdict from its text and, when there is one, its audio model's probability. Words
 * that continue (`for`, `um`, `...`) keep a turn open whatever the audio says, punctuated or not;
 * otherwise (the text complete, or merely unpunctuated or unsure) the audio decides at
 * `threshold`, so a rising voice can hold a punctuated turn open and a falling one can end an
 * unpunctuated one.
 */
export function judgeTurnWithAudio(
  candidate: TurnCandidate,
  options: TurnJudgeOptions,
  audioProbability: number | undefined,
  threshold: number,
): CombinedTurnJudgement {
  const text = judgeTurn(candidate, options);
  if (audioProbability === undefined || !Number.isFinite(audioProbability)) return text;
  if (text.verdict === 'incomplete' && LEXICAL.has(text.reason)) return text;
  if (text.verdict === 'incomplete' && text.reason === 'no-terminal-punctuation') {
    // The same words as if punctuated: a continuation word still continues.
    const words = judgeTurn({ ...candidate, text: `${candidate.text.trimEnd()}.` }, options);
    if (words.verdict === 'incomplete' && LEXICAL.has(words.reason)) return words;
  }
  return {
    verdict: audioProbability >= threshold ? 'complete' : 'incomplete',
    reason: 'audio-model',
    probability: audioProbability,
  };
}
