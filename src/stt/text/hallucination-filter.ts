import { type EngineSegment } from '../engine/whisper-engine';

/** Phrases whisper writes on silence and noise (learnt from subtitles), never live speech here. */
const ALWAYS_HALLUCINATED = [
  'thank you for watching',
  'thanks for watching',
  'thank you so much for watching',
  'thank you for watching and ill see you next time',
  'please subscribe',
  'please like and subscribe',
  'subscribe to my channel',
  'dont forget to like and subscribe',
  'subtitles by the amaraorg community',
  'subtitles by',
  'transcribed by',
  'translated by',
  'sous-titrage st 501',
  'untertitel der amaraorg community',
  'untertitel im auftrag des zdf',
  'gracias por ver',
  'merci davoir regardé',
];

/** Short phrases that are real speech sometimes: dropped only when whisper itself is unsure. */
const SUSPECT = [
  'thank you',
  'thanks',
  'you',
  'bye',
  'bye bye',
  'okay',
  'so',
  'oh',
  'uh',
  'um',
  'hmm',
];

/** Non-speech annotations: [BLANK_AUDIO], (music), *laughs*, ♪ ... */
const ANNOTATION = /\[[^\]]*\]|\([^)]*\)|\*[^*]*\*|[♪♫]+/g;

export interface HallucinationFilterOptions {
  noSpeechThreshold: number;
  /** Mean token probability below which a suspect phrase is dropped. */
  suspectMinProbability: number;
  /** A phrase repeated this many times in a row is kept once. */
  maxRepeats: number;
}

export const DEFAULT_FILTER: HallucinationFilterOptions = {
  noSpeechThreshold: 0.6,
  suspectMinProbability: 0.6,
  maxRepeats: 2,
};

export function normalizePhrase(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKC')
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function meanProbability(segment: EngineSegment): number {
  const tokens = segment.tokens.filter((token) => !token.special && token.text.trim() !== '');
  if (tokens.length === 0) return 1;
  return tokens.reduce((sum, token) => sum + token.probability, 0) / tokens.length;
}

/** Keeps one copy of a word or phrase (up to 8 words) repeated more than `maxRepeats` times. */
export function collapseRepeats(text: string, maxRepeats: number): string {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const key = (word: string): string => normalizePhrase(word);
  for (let n = 1; n <= 8; n++) {
    for (let start = 0; start + n * (maxRepeats + 1) <= words.length; start++) {
      let repeats = 1;
      while (start + (repeats + 1) * n <= words.length) {
        let same = true;
        for (let k = 0; k < n && same; k++) {
          // start + repeats * n + k < start + (repeats + 1) * n <= words.length
          same = key(words[start + k]!) === key(words[start + repeats * n + k]!);
        }
        if (!same) break;
        repeats++;
      }
      if (repeats > maxRepeats) {
        words.splice(start + n, (repeats - 1) * n);
      }
    }
  }
  return words.join(' ');
}

export interface FilteredSegment {
  segment: EngineSegment;
  text: string;
  /** The text changed (annotations removed or repeats collapsed): token timings are partial. */
  rewritten: boolean;
}

/** Why a segment was dropped, for logs and metrics; undefined when kept. */
export function dropReason(
  segment: EngineSegment,
  options: HallucinationFilterOptions = DEFAULT_FILTER,
): string | undefined {
  if (segment.noSpeechProb >= options.noSpeechThreshold) return 'no_speech';
  const phrase = normalizePhrase(segment.text.replace(ANNOTATION, ' '));
  if (phrase === '') return 'empty';
  if (ALWAYS_HALLUCINATED.includes(phrase)) return 'known_hallucination';
  if (SUSPECT.includes(phrase) && meanProbability(segment) < options.suspectMinProbability) {
    return 'unsure_short_phrase';
  }
  return undefined;
}

/** Segments whisper wrote on silence or noise are dropped; the rest are cleaned. */
export function filterSegments(
  segments: EngineSegment[],
  options: HallucinationFilterOptions = DEFAULT_FILTER,
): FilteredSegment[] {
  const kept: FilteredSegment[] = [];
  for (const segment of segments) {
    if (dropReason(segment, options) !== undefined) continue;
    const cleaned = collapseRepeats(
      segment.text.replace(ANNOTATION, ' ').replace(/\s+/g, ' ').trim(),
      options.maxRepeats,
    );
    // The same sentence twice in a row across segments is a decoding loop, not speech.
    const previous = kept[kept.length - 1];
    if (previous && normalizePhrase(previous.text) === normalizePhrase(cleaned)) continue;
    kept.push({ segment, text: cleaned, rewritten: cleaned !== segment.text.trim() });
  }
  return kept;
}
