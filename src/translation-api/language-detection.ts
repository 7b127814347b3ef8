import franc from 'franc';
import { languageInfo } from '../translation';

/*
 * Detection uses franc 5 (trigram profiles for 400+ languages, pure JavaScript, CommonJS, no
 * network or native code). Among the candidates it is the one that knows the languages Apertium
 * serves: tinyld and languagedetect have no Catalan, Galician, Basque or Occitan; eld and franc 6
 * know them but ship only as ES modules (no `require` export), and cld3-asm is a WASM build that
 * took Spanish for Galician in our samples. franc restricts the ranking to given languages (`only`).
 */

/** LibreTranslate's `detectedLanguage`: a language code and a confidence from 0 to 100. */
export interface DetectedLanguage {
  language: string;
  confidence: number;
}

/**
 * Below this many characters a text says too little about its language: it takes the language of
 * the whole request instead (LibreTranslate does the same below 40).
 */
export const MIN_DETECTION_CHARS = 20;

/** The ISO 639-3 codes franc may use for a language (Apertium's and FLORES-200's). */
function francCodes(code: string): string[] {
  const info = languageInfo(code);
  if (!info) return [];
  const codes = [
    ...info.apertium.filter((c) => c.length === 3),
    ...info.flores.split('_').slice(0, 1),
  ];
  return [...new Set(codes)];
}

/**
 * The candidates ranked by how likely `text` is written in each, best first; confidences share
 * 100 between the candidates that franc scored. Empty when there is no candidate or franc cannot
 * say (a text without letters).
 */
export function rankLanguages(text: string, candidates: readonly string[]): DetectedLanguage[] {
  const byFranc = new Map<string, string>();
  for (const candidate of candidates) {
    for (const code of francCodes(candidate)) byFranc.set(code, candidate);
  }
  if (byFranc.size === 0) return [];
  const scores = new Map<string, number>();
  for (const [code, score] of franc.all(text, { only: [...byFranc.keys()], minLength: 1 })) {
    const language = byFranc.get(code);
    if (language !== undefined && !scores.has(language)) scores.set(language, score);
  }
  const total = [...scores.values()].reduce((sum, score) => sum + score, 0);
  if (total <= 0) return [];
  return [...scores.entries()]
    .map(([language, score]) => ({
      language,
      confidence: Math.round((score / total) * 1000) / 10,
    }))
    .sort((a, b) => b.confidence - a.confidence);
}

/**
 * The source language of each text, restricted to `candidates` (the languages that can be
 * translated to the requested target). A short text, or one franc cannot place, takes the most
 * likely language of all the texts together; when nothing can be said at all, the first candidate
 * with confidence 0.
 */
export function detectSources(
  texts: readonly string[],
  candidates: readonly string[],
): DetectedLanguage[] {
  const [fallback] = candidates;
  if (fallback === undefined) return [];
  const whole = rankLanguages(texts.join('\n'), candidates)[0] ?? {
    language: fallback,
    confidence: 0,
  };
  return texts.map((text) => {
    if (text.trim().length < MIN_DETECTION_CHARS) return whole;
    return rankLanguages(text, candidates)[0] ?? whole;
  });
}
