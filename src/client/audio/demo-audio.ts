import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { floatToPcm16 } from '../../audio/pcm16';
import { PIPELINE_SAMPLE_RATE } from '../../audio/pipeline-rate';
import { resample } from '../../audio/streaming-resampler';
import { decodeWav } from '../../audio/wav';

/** Sentences the demo speaks, by espeak-ng voice (ISO 639-1 codes). */
export const DEMO_SENTENCES: Record<string, string[]> = {
  en: [
    'Good morning, and welcome to the live transcription demo.',
    'Every sentence you hear is turned into text while it is spoken.',
  ],
  es: ['Buenos días a todos.', 'Esta frase se traduce en tiempo real.'],
  fr: ['Bonjour tout le monde.', 'Cette phrase est transcrite en direct.'],
  de: ['Guten Morgen zusammen.', 'Dieser Satz wird live transkribiert.'],
  it: ['Buongiorno a tutti.', 'Questa frase viene trascritta in diretta.'],
  ca: ['Bon dia a tothom.', 'Aquesta frase es tradueix en temps real.'],
};

export interface SpokenSegment {
  language: string;
  text: string;
  /** Seconds from the start of the file: the first and last audible sample. */
  start: number;
  end: number;
}

export interface DemoClip {
  sampleRate: number;
  duration: number;
  segments: SpokenSegment[];
  pcm: Int16Array;
}

/** One sentence through espeak-ng, as 16 kHz mono samples (-1..1). */
export function speak(text: string, voice: string, wordsPerMinute = 150): Float32Array {
  const dir = mkdtempSync(join(tmpdir(), 'rt-speak-'));
  try {
    const file = join(dir, 'speech.wav');
    execFileSync('espeak-ng', ['-v', voice, '-s', String(wordsPerMinute), '-w', file, text], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const decoded = decodeWav(readFileSync(file));
    return resample(decoded.samples, decoded.sampleRate, PIPELINE_SAMPLE_RATE);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** First and last sample louder than `threshold`, or undefined for silence. */
export function audibleSpan(samples: Float32Array, threshold = 0.01): [number, number] | undefined {
  let first = -1;
  let last = -1;
  for (const [i, value] of samples.entries()) {
    if (Math.abs(value) > threshold) {
      if (first < 0) first = i;
      last = i;
    }
  }
  return first < 0 ? undefined : [first, last + 1];
}

/**
 * Sentences spoken one after another with `pauseSeconds` of silence between them (and around
 * them), as 16 kHz PCM16, with the time span of each sentence.
 */
export function buildClip(
  sentences: Array<{ language: string; text: string }>,
  { pauseSeconds = 1.2, leadSeconds = 0.5 } = {},
): DemoClip {
  const lead = new Float32Array(Math.round(leadSeconds * PIPELINE_SAMPLE_RATE));
  const parts: Float32Array[] = [lead];
  const segments: SpokenSegment[] = [];
  let at = lead.length;
  for (const { language, text } of sentences) {
    const speech = speak(text, language);
    const span = audibleSpan(speech) ?? [0, speech.length];
    const trimmed = speech.subarray(span[0], span[1]);
    segments.push({
      language,
      text,
      start: round3(at / PIPELINE_SAMPLE_RATE),
      end: round3((at + trimmed.length) / PIPELINE_SAMPLE_RATE),
    });
    const pause = new Float32Array(Math.round(pauseSeconds * PIPELINE_SAMPLE_RATE));
    parts.push(trimmed, pause);
    at += trimmed.length + pause.length;
  }
  const all = new Float32Array(at);
  let offset = 0;
  for (const p of parts) {
    all.set(p, offset);
    offset += p.length;
  }
  return {
    sampleRate: PIPELINE_SAMPLE_RATE,
    duration: round3(at / PIPELINE_SAMPLE_RATE),
    segments,
    pcm: floatToPcm16(all),
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
