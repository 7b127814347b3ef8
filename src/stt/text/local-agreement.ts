/**
 * LocalAgreement-2 (as in whisper_streaming): a word of a growing utterance is committed once two
 * consecutive interim hypotheses agree on it and on everything before it. Committed words never
 * change; the interim after them decodes only the audio not yet committed, with the committed
 * words as its prompt.
 */

export interface HypothesisWord {
  word: string;
  /** Seconds from the start of the utterance's audio. */
  start: number;
  end: number;
}

/** State of one utterance between two interims (kept in Redis by InterimAgreementService). */
export interface AgreementState {
  /** Revision of the interim that produced this state (older ones must not overwrite it). */
  revision: number;
  committed: HypothesisWord[];
  /** The newest hypothesis after the committed words. */
  tentative: HypothesisWord[];
}

export const EMPTY_AGREEMENT: AgreementState = { revision: 0, committed: [], tentative: [] };

/** Words compare without case and surrounding punctuation ("Hello," = "hello"). */
export function sameWord(a: string, b: string): boolean {
  const norm = (w: string): string =>
    w
      .toLowerCase()
      .normalize('NFKC')
      .replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
  const x = norm(a);
  return x !== '' && x === norm(b);
}

/**
 * Where the tail decode starts: the end of the last committed word, but leaving at least
 * `minTailSeconds` of audio (whisper needs some context; words it repeats are dropped by
 * `mergeTail`).
 */
export function tailStart(state: AgreementState, durationSec: number, minTailSeconds = 1): number {
  const committedEnd = state.committed.length > 0 ? state.committed.at(-1)!.end : 0;
  return Math.max(0, Math.min(committedEnd, durationSec - minTailSeconds));
}

/**
 * The new hypothesis: the committed words, then the words of the tail decode (times relative to
 * `offsetSec`, the tail's start) that begin after the committed audio.
 */
export function mergeTail(
  state: AgreementState,
  tail: HypothesisWord[],
  offsetSec: number,
): HypothesisWord[] {
  const committedEnd = state.committed.length > 0 ? state.committed.at(-1)!.end : 0;
  // Words whisper heard again in the overlap (starting clearly before the committed end) go.
  const fresh = tail
    .map((w) => ({ word: w.word, start: w.start + offsetSec, end: w.end + offsetSec }))
    .filter((w) => w.start >= committedEnd - 0.1 || state.committed.length === 0);
  // Whisper sometimes repeats the last committed word at the start of the tail.
  const [first] = fresh;
  const lastCommitted = state.committed.at(-1);
  if (
    first &&
    lastCommitted &&
    sameWord(first.word, lastCommitted.word) &&
    first.start < committedEnd + 0.2
  ) {
    fresh.shift();
  }
  return fresh;
}

/**
 * LocalAgreement-2: the words after the committed ones that this hypothesis and the previous one
 * share as a prefix become committed. Returns the next state.
 */
export function agree(
  state: AgreementState,
  hypothesis: HypothesisWord[],
  revision: number,
): AgreementState {
  let n = 0;
  for (const [i, word] of hypothesis.entries()) {
    const previous = state.tentative[i];
    if (!previous || !sameWord(word.word, previous.word)) break;
    n = i + 1;
  }
  return {
    revision,
    committed: [...state.committed, ...hypothesis.slice(0, n)],
    tentative: hypothesis.slice(n),
  };
}

export function wordsText(words: HypothesisWord[]): string {
  return words.map((w) => w.word).join(' ');
}
