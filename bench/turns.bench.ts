/**
 * The turn-detection benchmark's corpus (issue 26): generates it once (espeak-ng + sox, cached
 * under .cache/bench/turns/<digest>/) and prints what it holds. The timed part, which drives the
 * gateway in `silence` and `semantic` mode, needs the turn detector wired into the session
 * pipeline and is not here yet, so this prints no latency or cut figures.
 *
 *   npm run bench -- turns [--regenerate]
 */
import { relative } from 'node:path';
import { loadOrGenerateCorpus } from './turns/corpus-audio';
import { corpusStatistics, PAUSE_KINDS } from './turns/corpus-timeline';

function progress(done: number, total: number, id: string): void {
  const line = `generating turn corpus: ${done}/${total} ${id}`;
  if (process.stderr.isTTY)
    process.stderr.write(`\r${line.padEnd(60)}${done === total ? '\n' : ''}`);
  else if (done % 10 === 0 || done === total) console.error(line);
}

export default function turnsBench(args: string[]): Promise<void> {
  const started = Date.now();
  const corpus = loadOrGenerateCorpus({ regenerate: args.includes('--regenerate'), progress });
  const stats = corpusStatistics(corpus.manifest.sentences);
  const where = relative(process.cwd(), corpus.dir);
  console.log(
    corpus.generated
      ? `turn corpus generated in ${((Date.now() - started) / 1000).toFixed(1)} s: ${where}`
      : `turn corpus from the cache: ${where}`,
  );
  console.log(`engine: ${corpus.manifest.engine}`);
  console.log(`sentences: ${stats.sentences}, audio: ${stats.audioSeconds.toFixed(1)} s`);
  for (const [language, row] of Object.entries(stats.byLanguage)) {
    console.log(`  ${language}: ${row.straight} straight, ${row.paused} with inner pauses`);
  }
  console.log(`inner pauses: ${stats.innerPauses}`);
  console.log(
    `  by place: ${PAUSE_KINDS.map((kind) => `${kind} ${stats.pausesByKind[kind]}`).join(', ')}`,
  );
  console.log(
    `  by length: ${Object.entries(stats.pausesByMs)
      .map(([ms, count]) => `${ms} ms ${count}`)
      .join(', ')}`,
  );
  console.log(
    `  longer than 600 ms (as scripted; the VAD's view adds its hangover and padding): ${stats.pausesLongerThan(600)}`,
  );
  console.log('timed runs (silence vs semantic): not implemented until the pipeline is wired');
  return Promise.resolve();
}
