/**
 * The turn-detection benchmark (issue 26): `silence` at SILENCE_THRESHOLD_SECONDS=0.6 against
 * `semantic` at its defaults (TURN_MIN_SILENCE_MS 250, TURN_MAX_SILENCE_MS 1500), on the corpus
 * of bench/turns (generated once with espeak-ng + sox, cached under .cache/bench/turns/<digest>/).
 *
 *   npm run bench -- turns [silence,semantic] [--sentences N] [--speakers 1,16] [--corpus-only] [--regenerate]
 *
 * Per mode: one in-process app with the gateway and stt roles (as the openai-file bench runs
 * them) on the private Redis of bench/index.ts and the random-weights tiny model (24 tokens, no
 * temperature fallback, as the capacity bench). Its SttTranscriberService is wrapped
 * (bench/turns/scripted-engine.ts): whisper.cpp runs for real on every job, then a final's text
 * is replaced by the script's words for its audio window, with the sentence-final mark only when
 * the window holds the sentence's last part. Each sentence is one native WebSocket session,
 * streamed from its file's start at real-time pace (100 ms chunks every 100 ms);
 * each run has `--speakers` sessions at once (default 1, then 16 staggered). Printed per mode: speech end
 * (the chunk with the sentence's last speech sample sent) to the final that holds the sentence
 * end, p50/p95; inner pauses a final cut, in percent (all, and those longer than 0.6 s); counts.
 * Every final's arrival relative to its sentence's speech end goes to a JSON file (BENCH_OUT).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Test } from '@nestjs/testing';
import { AppModule } from 'src/app.module';
import { createLogger, listenApp, type RunningApp } from 'src/bootstrap';
import { loadConfig } from 'src/common/config/load-config';
import { freePort } from '../test/helpers/ports';
import { readWav16k } from '../test/helpers/audio-fixtures';
import { cleanupPrefix, randomWeightsModel } from '../test/helpers/test-env';
import { percentile } from './stats';
import { type Corpus, loadOrGenerateCorpus } from './turns/corpus-audio';
import { corpusStatistics, type CorpusSentence, PAUSE_KINDS } from './turns/corpus-timeline';
import { type ScriptedCounters, withScriptedTranscriber } from './turns/scripted-engine';
import { streamSentence, type StreamedSentence } from './turns/turn-client';
import { benchScriptText, scoreSentence, type SentenceScore } from './turns/turn-scoring';

const MODES = ['silence', 'semantic'] as const;
type Mode = (typeof MODES)[number];
const THRESHOLD_SECONDS = 0.6;
const LONG_PAUSE_MS = 600;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SPEAKERS = [1, 16];
/** Lanes start this far apart, so their sentence ends do not line up (within ~4 s in all). */
const staggerMs = (speakers: number): number => Math.min(900, 4000 / speakers);

interface SentenceRun {
  sentence: CorpusSentence;
  streamed: StreamedSentence;
  score: SentenceScore;
}

interface ModeRun {
  mode: Mode;
  speakers: number;
  /** Sessions the gateway refused as overloaded (1013) and the lane opened again 1 s later. */
  refusals: number;
  env: Record<string, string>;
  runs: SentenceRun[];
  counters: ScriptedCounters;
  wallSeconds: number;
  load: number[];
}

function progressLine(line: string, last: boolean): void {
  if (process.stderr.isTTY) process.stderr.write(`\r${line.padEnd(100)}${last ? '\n' : ''}`);
  else console.error(line);
}

function corpusProgress(done: number, total: number, id: string): void {
  const line = `generating turn corpus: ${done}/${total} ${id}`;
  if (process.stderr.isTTY || done % 10 === 0 || done === total) progressLine(line, done === total);
}

function printCorpus(corpus: Corpus, seconds: number): void {
  const stats = corpusStatistics(corpus.manifest.sentences);
  const where = relative(process.cwd(), corpus.dir);
  console.log(
    corpus.generated
      ? `turn corpus generated in ${seconds.toFixed(1)} s: ${where}`
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
    `  longer than ${LONG_PAUSE_MS} ms (as scripted; the VAD's view adds its hangover and padding): ${stats.pausesLongerThan(LONG_PAUSE_MS)}`,
  );
}

function modeEnv(mode: Mode): Record<string, string> {
  return {
    TURN_MODE: mode,
    SILENCE_THRESHOLD_SECONDS: String(THRESHOLD_SECONDS),
    // The defaults, written out so the printed setup says what ran.
    SPECULATIVE_SILENCE_SECONDS: '0.2',
    ...(mode === 'semantic' ? { TURN_MIN_SILENCE_MS: '250', TURN_MAX_SILENCE_MS: '1500' } : {}),
  };
}

async function waitReady(port: number): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${port}/health/ready`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the app was not ready on :${port} within 90 s`);
}

/** The gateway and stt roles in this process, with the scripted transcriber. */
async function startScriptedApp(
  env: Record<string, string>,
  prefix: string,
  sentenceOf: Map<string, CorpusSentence>,
): Promise<{ running: RunningApp; url: string; counters: ScriptedCounters }> {
  const gatewayPort = await freePort();
  const healthPort = await freePort();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    ROLE: 'gateway,stt',
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    HOST: '127.0.0.1',
    GATEWAY_PORT: String(gatewayPort),
    HEALTH_PORT: String(healthPort),
    DATABASE_URL: 'sqlite::memory:',
    AUTH_REQUIRED: 'false',
    WHISPER_MODEL: process.env.BENCH_MODEL ?? randomWeightsModel(),
    STT_MAX_TOKENS: '24',
    TEMPERATURE_FALLBACK: 'false',
    ...env,
  });
  const { builder, counters } = withScriptedTranscriber(
    Test.createTestingModule({ imports: [AppModule.forRoot(config)] }),
    (sessionId, startSec, endSec) => {
      const sentence = sentenceOf.get(sessionId);
      return sentence && benchScriptText(sentence, startSec * 1000, endSec * 1000);
    },
  );
  const logger = createLogger(config);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication({ logger, abortOnError: false });
  const running = await listenApp(app, config, logger);
  await waitReady(healthPort);
  return { running, url: `ws://127.0.0.1:${gatewayPort}`, counters };
}

async function runMode(
  mode: Mode,
  speakers: number,
  corpus: Corpus,
  sentences: CorpusSentence[],
): Promise<ModeRun> {
  const env = modeEnv(mode);
  const prefix = `bench-turns-${mode}-${speakers}-${Date.now().toString(36)}`;
  const sentenceOf = new Map<string, CorpusSentence>();
  const { running, url, counters } = await startScriptedApp(env, prefix, sentenceOf);
  const runs: SentenceRun[] = [];
  const refusals = { count: 0 };
  const started = performance.now();
  try {
    const lanes = Array.from({ length: Math.min(speakers, sentences.length) }, (_, lane) =>
      (async () => {
        await new Promise((r) => setTimeout(r, lane * staggerMs(speakers)));
        for (let i = lane; i < sentences.length; i += speakers) {
          const sentence = sentences[i];
          const lastMid = midOfLastPart(sentence);
          const streamed = await withRetryWhenRefused(refusals, () =>
            streamSentence({
              url,
              sentence,
              pcm: readWav16k(join(corpus.dir, sentence.file)),
              onSession: (sessionId) => sentenceOf.set(sessionId, sentence),
              isEndFinal: (final) => final.endSec * 1000 >= lastMid,
            }),
          );
          sentenceOf.delete(streamed.sessionId);
          const score = scoreSentence(sentence, streamed.finals, streamed.speechEndSentAt);
          runs.push({ sentence, streamed, score });
          const cuts = score.pauses.filter((pause) => pause.cut).length;
          progressLine(
            `[${mode} x${speakers}] ${runs.length}/${sentences.length} ${sentence.id}: ${streamed.finals.length} final(s), end ${
              score.endFinal ? `+${Math.round(score.endFinal.latencyMs)} ms` : 'missing'
            }, cut ${cuts}/${score.pauses.length} (${((performance.now() - started) / 1000).toFixed(0)} s, load ${loadavg()[0].toFixed(2)})`,
            runs.length === sentences.length,
          );
        }
      })(),
    );
    await Promise.all(lanes);
  } finally {
    await running.close();
    await cleanupPrefix(prefix, REDIS_URL);
  }
  return {
    mode,
    speakers,
    refusals: refusals.count,
    env,
    runs,
    counters,
    wallSeconds: (performance.now() - started) / 1000,
    load: loadavg(),
  };
}

/** An overloaded gateway refuses new sessions with 1013: a client tries again a second later. */
async function withRetryWhenRefused<T>(
  refusals: { count: number },
  open: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await open();
    } catch (error) {
      if (attempt >= 30 || !String(error).includes('closed (1013)')) throw error;
      refusals.count++;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

function midOfLastPart(sentence: CorpusSentence): number {
  const speech = sentence.stretches.filter((stretch) => stretch.kind === 'speech');
  const last = speech[speech.length - 1];
  return (last.startMs + last.endMs) / 2;
}

const ms = (v: number): string => (Number.isFinite(v) ? String(Math.round(v)) : '-');
const pct = (n: number, of: number): string =>
  of === 0 ? '-' : `${((100 * n) / of).toFixed(1)} %`;

interface ModeFigures {
  sentences: number;
  endFinals: number[];
  straight: number[];
  paused: number[];
  pauses: number;
  cut: number;
  longPauses: number;
  longCut: number;
  shortPauses: number;
  shortCut: number;
  missingEnd: number;
  /** latency.sttMs of the finals holding a sentence end (the inference the final waited for). */
  endSttMs: number[];
  early: number;
  finals: number;
  errors: number;
  turns: Record<string, number>;
}

function figures(run: ModeRun): ModeFigures {
  const out: ModeFigures = {
    sentences: run.runs.length,
    endFinals: [],
    straight: [],
    paused: [],
    pauses: 0,
    cut: 0,
    longPauses: 0,
    longCut: 0,
    shortPauses: 0,
    shortCut: 0,
    missingEnd: 0,
    endSttMs: [],
    early: 0,
    finals: 0,
    errors: 0,
    turns: {},
  };
  for (const { sentence, streamed, score } of run.runs) {
    out.finals += streamed.finals.length;
    out.errors += streamed.errors.length;
    out.early += score.early;
    for (const [key, n] of Object.entries(streamed.turns))
      out.turns[key] = (out.turns[key] ?? 0) + n;
    if (score.endFinal) {
      out.endFinals.push(score.endFinal.latencyMs);
      const sttMs = streamed.finals[score.endFinal.index]?.latency?.sttMs;
      if (sttMs !== undefined) out.endSttMs.push(sttMs);
      (sentence.pauses.length > 0 ? out.paused : out.straight).push(score.endFinal.latencyMs);
    } else out.missingEnd++;
    for (const pause of score.pauses) {
      out.pauses++;
      if (pause.cut) out.cut++;
      if (pause.ms > LONG_PAUSE_MS) {
        out.longPauses++;
        if (pause.cut) out.longCut++;
      } else {
        out.shortPauses++;
        if (pause.cut) out.shortCut++;
      }
    }
  }
  return out;
}

const p50p95 = (values: number[]): string =>
  `${ms(percentile(values, 50))} / ${ms(percentile(values, 95))}`;

function printMode(run: ModeRun): ModeFigures {
  const f = figures(run);
  const setup = Object.entries(run.env)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
  console.log(`\n== ${run.mode}, ${run.speakers} speakers: ${setup}`);
  console.log(
    `  ${f.sentences} sentences in ${run.wallSeconds.toFixed(0)} s (${run.speakers} sessions at once, staggered; load ${run.load
      .map((l) => l.toFixed(2))
      .join(
        ' ',
      )}), ${f.finals} finals, ${f.errors} errors, ${run.refusals} sessions refused as overloaded and opened again`,
  );
  console.log(
    `  speech end -> final holding the sentence end, p50 / p95: ${p50p95(f.endFinals)} ms (n=${f.endFinals.length}; straight ${p50p95(f.straight)} ms, n=${f.straight.length}; with inner pauses ${p50p95(f.paused)} ms, n=${f.paused.length}); no such final: ${f.missingEnd}`,
  );
  console.log(
    `  inner pauses cut by a final: ${f.cut} of ${f.pauses} (${pct(f.cut, f.pauses)}); longer than ${LONG_PAUSE_MS} ms: ${f.longCut} of ${f.longPauses} (${pct(f.longCut, f.longPauses)}); up to ${LONG_PAUSE_MS} ms: ${f.shortCut} of ${f.shortPauses} (${pct(f.shortCut, f.shortPauses)})`,
  );
  console.log(
    `  inference (latency.sttMs) of those finals, p50 / p95: ${p50p95(f.endSttMs)} ms (n=${f.endSttMs.length})`,
  );
  console.log(`  finals ending before the middle of a sentence's first part: ${f.early}`);
  const turns = Object.entries(f.turns)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, n]) => `${key} ${n}`)
    .join(', ');
  console.log(`  turn frames: ${turns || 'none'}`);
  const c = run.counters;
  console.log(
    `  engine: ${c.replaced} finals given the script's words after real inference, ${c.notInferred} not inferred (no speech), ${c.unknown} of unknown sessions`,
  );
  return f;
}

function printSummary(rows: { mode: Mode; speakers: number; f: ModeFigures }[]): void {
  const table = [
    [
      'mode',
      'speakers',
      'sentences',
      'speech end -> final p50 / p95 ms',
      'inference p50 ms',
      'inner pauses cut',
      `cut, pauses > ${LONG_PAUSE_MS} ms`,
      'pauses (> 600 ms)',
    ],
    ...rows.map(({ mode, speakers, f }) => [
      mode,
      String(speakers),
      String(f.sentences),
      p50p95(f.endFinals),
      ms(percentile(f.endSttMs, 50)),
      `${f.cut} (${pct(f.cut, f.pauses)})`,
      `${f.longCut} (${pct(f.longCut, f.longPauses)})`,
      `${f.pauses} (${f.longPauses})`,
    ]),
  ];
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  console.log('');
  for (const row of table) console.log(row.map((cell, c) => cell.padEnd(widths[c])).join('  '));
}

interface BenchArgs {
  modes: Mode[];
  speakers: number[];
  limit?: number;
  corpusOnly: boolean;
}

function parseArgs(args: string[]): BenchArgs {
  const valueOf = (flag: string): string | undefined => {
    const at = args.indexOf(flag);
    return at >= 0 ? args[at + 1] : undefined;
  };
  const limitArg = valueOf('--sentences');
  const limit = limitArg === undefined ? undefined : Number(limitArg);
  const speakersArg = valueOf('--speakers');
  const speakers = speakersArg === undefined ? SPEAKERS : speakersArg.split(',').map(Number);
  if (speakers.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`--speakers takes a list of positive counts, e.g. 1,16: got ${speakersArg}`);
  }
  const values = new Set(['--sentences', '--speakers'].map((flag) => args.indexOf(flag) + 1));
  const named = args.find((arg, i) => !arg.startsWith('--') && !values.has(i));
  const modes = (named ?? MODES.join(',')).split(',') as Mode[];
  const unknown = modes.filter((mode) => !MODES.includes(mode));
  if (unknown.length > 0)
    throw new Error(`unknown mode(s) ${unknown.join(', ')}: use ${MODES.join(',')}`);
  return { modes, speakers, limit, corpusOnly: args.includes('--corpus-only') };
}

export default async function turnsBench(args: string[]): Promise<void> {
  const { modes, speakers, limit, corpusOnly } = parseArgs(args);
  const started = Date.now();
  const corpus = loadOrGenerateCorpus({
    regenerate: args.includes('--regenerate'),
    progress: corpusProgress,
  });
  printCorpus(corpus, (Date.now() - started) / 1000);
  if (corpusOnly) return;

  const sentences = corpus.manifest.sentences.slice(0, limit);
  console.log(
    `\ntimed runs: ${sentences.length} sentences per mode, one native WebSocket session each, real time (100 ms chunks every 100 ms), ${speakers.join(' then ')} at once; gateway + stt in this process, ${(process.env.BENCH_MODEL ?? randomWeightsModel()).split('/').pop()}, 24 tokens, no fallback; ${availableParallelism()} cores, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    "engine: real whisper.cpp inference on every job, then a final's text replaced by the script's words for its audio window. Bench assumption: the text ends in the sentence-final mark only when the window holds the sentence's last part (a window ending at an inner pause gets no period, where whisper often writes one); no word probabilities, so TURN_MIN_CONFIDENCE is not exercised.",
  );
  const runs: ModeRun[] = [];
  const rows: { mode: Mode; speakers: number; f: ModeFigures }[] = [];
  for (const count of speakers) {
    for (const mode of modes) {
      const run = await runMode(mode, count, corpus, sentences);
      runs.push(run);
      rows.push({ mode, speakers: count, f: printMode(run) });
    }
  }
  printSummary(rows);
  const out = process.env.BENCH_OUT ?? join(mkdtempSync(join(tmpdir(), 'rt-turns-')), 'turns.json');
  writeFileSync(
    out,
    `${JSON.stringify(
      runs.map((run) => ({
        mode: run.mode,
        speakers: run.speakers,
        refusals: run.refusals,
        env: run.env,
        wallSeconds: run.wallSeconds,
        counters: run.counters,
        sentences: run.runs.map(({ sentence, streamed, score }) => ({
          id: sentence.id,
          pauses: score.pauses,
          endFinal: score.endFinal,
          early: score.early,
          finals: streamed.finals.map((final, i) => ({
            text: final.text,
            endSec: final.endSec,
            afterSpeechEndMs: Math.round(score.finalsMs[i]),
            latency: final.latency,
          })),
          turns: streamed.turns,
          errors: streamed.errors,
        })),
      })),
      null,
      2,
    )}\n`,
  );
  console.log(`JSON: ${out}`);
  console.log(`total ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
