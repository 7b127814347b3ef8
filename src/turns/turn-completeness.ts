import { type TurnWords, turnWord, turnWordsFor } from './turn-words';

/**
 * Whether the speculative decode's text reads as a finished turn. Pure; the rules, in order:
 *
 * - `empty`: no letter or digit at all.
 * - `ellipsis`: it trails off (`...`, `…`, `。。`), the way whisper writes a pause mid-sentence.
 * - `no-terminal-punctuation`: it does not end in `.` `?` `!` (or `。` `？` `！` `؟` `।` `۔`),
 *   closing quotes and brackets after the mark aside. An opening `¿`/`¡` without its closing
 *   mark therefore ends nothing.
 * - `continuation-word` / `filler`: its last word is one of its language's table (turn-words.ts),
 *   unless the text is a question and the word may end one (`What is it for?`), or its last
 *   two words are a listed ending (`I think so.`).
 * - `leading-abbreviation`: it ends in a title or `e.g.`-like abbreviation (`Mr.`, `z.B.`):
 *   a name or an example follows. Abbreviations that end sentences (`etc.`) end turns.
 * - `ordinal-number`: a number with its dot in a language that writes ordinals so (German
 *   `am 3.`); elsewhere `I'll take 3.` is a finished sentence.
 * - `low-confidence`: the decode's confidence is below `minConfidence` (not checked when absent).
 *
 * Languages without a row in the table get the punctuation rules only.
 */
export type TurnIncompleteReason =
  | 'empty'
  | 'ellipsis'
  | 'no-terminal-punctuation'
  | 'continuation-word'
  | 'filler'
  | 'leading-abbreviation'
  | 'ordinal-number'
  | 'low-confidence';

export type TurnJudgement =
  | { verdict: 'complete'; reason: 'terminal-punctuation' }
  | { verdict: 'incomplete'; reason: TurnIncompleteReason; word?: string };

export interface TurnCandidate {
  text: string;
  /** ISO 639-1 (`en`; `en-US` is read as `en`); undefined when not known. */
  language: string | undefined;
  /** The decode's confidence from 0 to 1 (e.g. mean token probability), if it has one. */
  confidence?: number;
}

export interface TurnJudgeOptions {
  /** Below this confidence a turn is not complete (TURN_MIN_CONFIDENCE). */
  minConfidence: number;
}

/** Starting point until the benchmark measures whisper's confidences on real speech. */
export const DEFAULT_TURN_MIN_CONFIDENCE = 0.5;

const TERMINAL = new Set(['.', '?', '!', '。', '？', '！', '؟', '।', '۔']);
const QUESTION = new Set(['?', '？', '؟']);
const CLOSERS = /[\s"'”’»›)\]}」』）】〉》]+$/u;
const ELLIPSIS = /(\.{2,}|…|。{2,})$/u;
const ORDINAL = /^\p{N}+\.$/u;

const complete: TurnJudgement = { verdict: 'complete', reason: 'terminal-punctuation' };

const incomplete = (reason: TurnIncompleteReason, word?: string): TurnJudgement =>
  word === undefined ? { verdict: 'incomplete', reason } : { verdict: 'incomplete', reason, word };

export function judgeTurn(
  candidate: TurnCandidate,
  options: TurnJudgeOptions = { minConfidence: DEFAULT_TURN_MIN_CONFIDENCE },
): TurnJudgement {
  const text = candidate.text.normalize('NFC').replace(CLOSERS, '');
  if (!/[\p{L}\p{N}]/u.test(text)) return incomplete('empty');
  if (ELLIPSIS.test(text)) return incomplete('ellipsis');
  const mark = text.slice(-1);
  if (!TERMINAL.has(mark)) return incomplete('no-terminal-punctuation');

  const words = turnWordsFor(candidate.language);
  if (words) {
    const wordVerdict = judgeLastWords(text, words, QUESTION.has(mark));
    if (wordVerdict) return wordVerdict;
  }

  const { confidence } = candidate;
  if (confidence !== undefined && confidence < options.minConfidence) {
    return incomplete('low-confidence');
  }
  return complete;
}

function judgeLastWords(
  text: string,
  words: TurnWords,
  question: boolean,
): TurnJudgement | undefined {
  const tokens = text.split(/\s+/).filter((token) => /[\p{L}\p{N}]/u.test(token));
  const lastToken = tokens.at(-1);
  // judgeTurn only asks about text with a letter or digit, so there is always a last token.
  if (lastToken === undefined) return undefined;
  if (text.endsWith('.')) {
    if (words.ordinalDot && ORDINAL.test(lastToken)) return incomplete('ordinal-number', lastToken);
    const abbreviation = turnWord(lastToken).replace(/\./g, '');
    if (words.leadingAbbreviations.includes(abbreviation)) {
      return incomplete('leading-abbreviation', lastToken);
    }
  }
  const last = turnWord(lastToken);
  if (question && words.questionEndings.includes(last)) return undefined;
  const lastTwo = tokens.slice(-2).map(turnWord).join(' ');
  if (words.endings.includes(lastTwo)) return undefined;
  if (words.fillers.includes(last)) return incomplete('filler', last);
  if (words.continuations.includes(last)) return incomplete('continuation-word', last);
  return undefined;
}
