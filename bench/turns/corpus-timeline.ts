import { createHash } from 'node:crypto';
import { type CorpusLanguage } from './corpus-sentences';

/**
 * The pure half of the turn corpus: reading the script, giving each inner pause its length, and
 * laying the spoken parts out on a timeline once their lengths in samples are known. Offsets are
 * samples (exact) with milliseconds beside them for reading.
 */
export const PAUSE_KINDS = ['for', 'and', 'because', 'list', 'number'] as const;
export type PauseKind = (typeof PAUSE_KINDS)[number];

/**
 * Inner pauses take these lengths in turn, across the corpus: three below and three above the
 * 0.6 s fixed threshold, so `silence` mode is measured on pauses it survives and pauses it cuts.
 */
export const PAUSE_CYCLE_MS = [300, 400, 500, 700, 800, 900] as const;

export interface CorpusLayout {
  sampleRate: number;
  /** Silence before the speech, so the VAD has pre-speech audio. */
  leadMs: number;
  /** Silence after the sentence. */
  trailMs: number;
}

export const CORPUS_LAYOUT: CorpusLayout = { sampleRate: 16000, leadMs: 300, trailMs: 1000 };

export interface ScriptSentence {
  id: string;
  language: CorpusLanguage;
  /** The sentence as spoken, without pause marks. */
  text: string;
  parts: string[];
  pauses: { kind: PauseKind; ms: number }[];
}

export interface Stretch {
  kind: 'silence' | 'speech' | 'pause';
  start: number;
  end: number;
  startMs: number;
  endMs: number;
  /** The script's words spoken in this stretch (none in silence). */
  words: string[];
  /** The script's text from the start of the sentence to the end of this stretch. */
  spokenSoFar: string;
}

export interface CorpusSentence extends ScriptSentence {
  file: string;
  samples: number;
  durationMs: number;
  /** Lead silence, then part, pause, part, ..., part, then trailing silence; they tile the file. */
  stretches: Stretch[];
}

const MARK = /\s*\{([a-z]+)\}\s*/g;

/** `Book a table for {for} four.` → parts `Book a table for`, `four.` and a `for` pause. */
export function parseScriptLine(line: string): { parts: string[]; kinds: PauseKind[] } {
  const kinds: PauseKind[] = [];
  for (const match of line.matchAll(MARK)) {
    const kind = match[1] as PauseKind;
    if (!PAUSE_KINDS.includes(kind)) {
      throw new Error(`unknown pause mark {${match[1]}} in ${JSON.stringify(line)}`);
    }
    kinds.push(kind);
  }
  const parts = line.split(MARK).filter((_, i) => i % 2 === 0);
  if (parts.some((part) => part.trim() === '')) {
    throw new Error(`a pause mark needs words on both sides: ${JSON.stringify(line)}`);
  }
  return { parts: parts.map((part) => part.trim()), kinds };
}

/** The script with ids (`en-01`) and pause lengths from PAUSE_CYCLE_MS, in corpus order. */
export function resolveScript(
  sentences: Readonly<Record<CorpusLanguage, readonly string[]>>,
): ScriptSentence[] {
  let pauseIndex = 0;
  const out: ScriptSentence[] = [];
  for (const language of Object.keys(sentences) as CorpusLanguage[]) {
    sentences[language].forEach((line, i) => {
      const { parts, kinds } = parseScriptLine(line);
      out.push({
        id: `${language}-${String(i + 1).padStart(2, '0')}`,
        language,
        text: parts.join(' '),
        parts,
        pauses: kinds.map((kind) => ({
          kind,
          ms: PAUSE_CYCLE_MS[pauseIndex++ % PAUSE_CYCLE_MS.length],
        })),
      });
    });
  }
  return out;
}

const words = (text: string): string[] => text.split(/\s+/).filter((word) => word !== '');

/** Where each part and pause lies, given each part's length in samples. */
export function layOut(
  sentence: ScriptSentence,
  partSamples: readonly number[],
  layout: CorpusLayout = CORPUS_LAYOUT,
): CorpusSentence {
  if (partSamples.length !== sentence.parts.length) {
    throw new Error(
      `${sentence.id}: ${partSamples.length} lengths for ${sentence.parts.length} parts`,
    );
  }
  const samplesOf = (ms: number): number => Math.round((ms * layout.sampleRate) / 1000);
  const msOf = (samples: number): number => (samples * 1000) / layout.sampleRate;
  const stretches: Stretch[] = [];
  let at = 0;
  const spoken: string[] = [];
  const push = (kind: Stretch['kind'], length: number, text?: string): void => {
    if (text !== undefined) spoken.push(text);
    stretches.push({
      kind,
      start: at,
      end: at + length,
      startMs: msOf(at),
      endMs: msOf(at + length),
      words: text === undefined ? [] : words(text),
      spokenSoFar: spoken.join(' '),
    });
    at += length;
  };
  push('silence', samplesOf(layout.leadMs));
  sentence.parts.forEach((part, i) => {
    push('speech', partSamples[i], part);
    const pause = sentence.pauses[i];
    if (pause) push('pause', samplesOf(pause.ms));
  });
  push('silence', samplesOf(layout.trailMs));
  return {
    ...sentence,
    file: `${sentence.id}.wav`,
    samples: at,
    durationMs: msOf(at),
    stretches,
  };
}

/**
 * The script's text for a window of the sentence's audio (an utterance as the VAD cut it): the
 * parts that lie more than half inside it. Word timings inside a part are not known.
 */
export function scriptTextOf(sentence: CorpusSentence, startMs: number, endMs: number): string {
  return sentence.stretches
    .filter((stretch) => stretch.kind === 'speech')
    .filter((stretch) => {
      const overlap = Math.min(endMs, stretch.endMs) - Math.max(startMs, stretch.startMs);
      return overlap > (stretch.endMs - stretch.startMs) / 2;
    })
    .map((stretch) => stretch.words.join(' '))
    .join(' ');
}

/** Names the cache folder: changes with the script, the layout, the voices or espeak-ng itself. */
export function corpusDigest(
  script: readonly ScriptSentence[],
  layout: CorpusLayout,
  voices: unknown,
  engine: string,
): string {
  return createHash('sha256')
    .update(JSON.stringify({ version: 1, script, layout, voices, engine }))
    .digest('hex')
    .slice(0, 16);
}

export interface CorpusStatistics {
  sentences: number;
  byLanguage: Record<string, { straight: number; paused: number }>;
  innerPauses: number;
  pausesByKind: Record<PauseKind, number>;
  pausesByMs: Record<number, number>;
  /** Inner pauses longer than `thresholdMs` (what a fixed threshold of that length would cut). */
  pausesLongerThan: (thresholdMs: number) => number;
  audioSeconds: number;
}

export function corpusStatistics(sentences: readonly CorpusSentence[]): CorpusStatistics {
  const byLanguage: CorpusStatistics['byLanguage'] = {};
  const pausesByKind = Object.fromEntries(PAUSE_KINDS.map((kind) => [kind, 0])) as Record<
    PauseKind,
    number
  >;
  const pausesByMs: Record<number, number> = {};
  const pauses = sentences.flatMap((sentence) => sentence.pauses);
  for (const sentence of sentences) {
    const row = (byLanguage[sentence.language] ??= { straight: 0, paused: 0 });
    if (sentence.pauses.length > 0) row.paused++;
    else row.straight++;
  }
  for (const pause of pauses) {
    pausesByKind[pause.kind]++;
    pausesByMs[pause.ms] = (pausesByMs[pause.ms] ?? 0) + 1;
  }
  return {
    sentences: sentences.length,
    byLanguage,
    innerPauses: pauses.length,
    pausesByKind,
    pausesByMs,
    pausesLongerThan: (thresholdMs) => pauses.filter((pause) => pause.ms > thresholdMs).length,
    audioSeconds: sentences.reduce((sum, sentence) => sum + sentence.durationMs, 0) / 1000,
  };
}
