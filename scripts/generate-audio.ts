/**
 * Demo audio for the clients and load tests: espeak-ng sentences in several languages with pauses,
 * as 16 kHz mono WAV files, each with a JSON of what was said and when.
 *
 *   npm run generate-audio -- [--out demo-audio] [--languages en,es,fr,de,it,ca] [--pause 1.2]
 *
 * Writes <lang>.wav/.json per language and mixed.wav/.json with every language in turn.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildClip, DEMO_SENTENCES } from '../src/client/audio/demo-audio';
import { encodeWavBuffer } from '../src/common/audio/wav-buffer';

function main(): void {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: 'demo-audio' },
      languages: { type: 'string', default: Object.keys(DEMO_SENTENCES).join(',') },
      pause: { type: 'string', default: '1.2' },
    },
  });
  const out = resolve(values.out);
  const pauseSeconds = Number(values.pause);
  if (!Number.isFinite(pauseSeconds) || pauseSeconds < 0)
    throw new Error('--pause must be seconds');
  const languages = values.languages.split(',').map((l) => l.trim());
  for (const l of languages) {
    if (!DEMO_SENTENCES[l]) {
      throw new Error(
        `no demo sentences for "${l}"; have ${Object.keys(DEMO_SENTENCES).join(', ')}`,
      );
    }
  }
  mkdirSync(out, { recursive: true });
  const write = (name: string, sentences: Array<{ language: string; text: string }>): void => {
    const clip = buildClip(sentences, { pauseSeconds });
    const wav = join(out, `${name}.wav`);
    writeFileSync(wav, encodeWavBuffer(clip.pcm, clip.sampleRate));
    const manifest = {
      file: `${name}.wav`,
      sampleRate: clip.sampleRate,
      duration: clip.duration,
      segments: clip.segments,
    };
    writeFileSync(join(out, `${name}.json`), `${JSON.stringify(manifest, null, 2)}\n`);
    process.stdout.write(
      `${wav}: ${clip.duration.toFixed(1)} s, ${clip.segments.length} sentences\n`,
    );
  };
  for (const language of languages) {
    write(
      language,
      DEMO_SENTENCES[language].map((text) => ({ language, text })),
    );
  }
  write(
    'mixed',
    languages.map((language) => ({ language, text: DEMO_SENTENCES[language][0] })),
  );
}

try {
  main();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
