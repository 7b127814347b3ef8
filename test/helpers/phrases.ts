import { concatPcm, espeak, silence } from './audio';

export const PHRASE_A = 'the quick brown fox jumps over the lazy dog';
export const PHRASE_B = 'please call me back tomorrow morning';
export const PHRASE_C = 'it is going to rain this afternoon';

/** Phrases with long gaps: the VAD finds exactly one utterance per phrase. */
export function phrases(...texts: string[]): Int16Array {
  return concatPcm(...texts.flatMap((text) => [silence(0.5), espeak(text), silence(1.5)]));
}
