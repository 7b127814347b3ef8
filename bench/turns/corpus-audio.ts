import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encodeWavBuffer } from '../../src/common/audio/wav-buffer';
import { compose, RATE, readWav16k, trim } from '../../test/helpers/audio-fixtures';
import { SENTENCES, VOICES } from './corpus-sentences';
import {
  CORPUS_LAYOUT,
  corpusDigest,
  type CorpusSentence,
  layOut,
  resolveScript,
} from './corpus-timeline';

/**
 * Makes the turn corpus with espeak-ng and sox (as the test audio is made), once per digest of
 * the script: `.cache/bench/turns/<digest>/` holds one WAV per sentence (16 kHz mono PCM16) and
 * manifest.json.
 */
export interface CorpusManifest {
  version: 1;
  digest: string;
  engine: string;
  layout: typeof CORPUS_LAYOUT;
  sentences: CorpusSentence[];
}

export const CORPUS_ROOT = resolve(__dirname, '../../.cache/bench/turns');

export interface Corpus {
  dir: string;
  manifest: CorpusManifest;
  generated: boolean;
}

/**
 * espeak-ng resampled to 16 kHz mono PCM16 by sox, as test/helpers/audio-fixtures.ts does, with
 * 1 dB of headroom first: espeak peaks at full scale and the resampler would clip a sample now
 * and then (sox warns on every one).
 */
function speak(
  dir: string,
  name: string,
  text: string,
  voice: string,
  wordsPerMinute: number,
): Int16Array {
  const raw = join(dir, `${name}.espeak.wav`);
  const out = join(dir, `${name}.wav`);
  execFileSync('espeak-ng', ['-v', voice, '-s', String(wordsPerMinute), '-w', raw, text]);
  execFileSync('sox', [raw, '-D', '-c', '1', '-b', '16', out, 'gain', '-1', 'rate', String(RATE)]);
  return readWav16k(out);
}

/** How the audio is made; part of the digest, with the tools' versions. */
const SYNTHESIS =
  'espeak-ng, inner parts with a trailing comma; sox gain -1 rate 16000; trimmed at 100';

const engineText = (): string =>
  [
    execFileSync('espeak-ng', ['--version'], { encoding: 'utf8' }).split('Data at')[0].trim(),
    execFileSync('sox', ['--version'], { encoding: 'utf8' }).trim(),
    SYNTHESIS,
  ].join('; ');

export function loadOrGenerateCorpus(
  options: {
    regenerate?: boolean;
    progress?: (done: number, total: number, id: string) => void;
  } = {},
): Corpus {
  const script = resolveScript(SENTENCES);
  const engine = engineText();
  const digest = corpusDigest(script, CORPUS_LAYOUT, VOICES, engine);
  const dir = join(CORPUS_ROOT, digest);
  const manifestPath = join(dir, 'manifest.json');
  if (!options.regenerate && existsSync(manifestPath)) {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as CorpusManifest;
    if (manifest.sentences.every((sentence) => existsSync(join(dir, sentence.file)))) {
      return { dir, manifest, generated: false };
    }
  }

  // Written aside and renamed, so an interrupted run never leaves a half corpus under the digest.
  const building = `${dir}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'turn-corpus-'));
  try {
    const sentences = script.map((sentence, i) => {
      options.progress?.(i, script.length, sentence.id);
      const { voice, wordsPerMinute } = VOICES[sentence.language];
      // A comma after an inner part gives espeak's continuing intonation, not a sentence end;
      // trimming drops espeak's own padding, so the pauses are exactly the script's.
      const parts = sentence.parts.map((part, p) =>
        trim(
          speak(
            work,
            `${sentence.id}-${p}`,
            p < sentence.parts.length - 1 ? `${part},` : part,
            voice,
            wordsPerMinute,
          ),
        ),
      );
      const laidOut = layOut(
        sentence,
        parts.map((pcm) => pcm.length),
      );
      const pieces: (number | Int16Array)[] = [CORPUS_LAYOUT.leadMs / 1000];
      parts.forEach((pcm, p) => {
        pieces.push(pcm);
        const pause = sentence.pauses[p];
        if (pause) pieces.push(pause.ms / 1000);
      });
      pieces.push(CORPUS_LAYOUT.trailMs / 1000);
      const { pcm } = compose(pieces);
      if (pcm.length !== laidOut.samples) {
        throw new Error(
          `${sentence.id}: audio has ${pcm.length} samples, the layout ${laidOut.samples}`,
        );
      }
      writeFileSync(join(building, laidOut.file), encodeWavBuffer(pcm, CORPUS_LAYOUT.sampleRate));
      return laidOut;
    });
    options.progress?.(script.length, script.length, 'done');
    const manifest: CorpusManifest = {
      version: 1,
      digest,
      engine,
      layout: CORPUS_LAYOUT,
      sentences,
    };
    writeFileSync(join(building, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(building, dir);
    return { dir, manifest, generated: true };
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    throw error;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
