/**
 * File transcription throughput of the OpenAI audio API (npm run bench -- openai-file): audio
 * seconds per wall second for one upload through our whole path (HTTP, VAD, the stt queue, ONE
 * stt worker with one whisper context, result stream, reassembly) against whisper.cpp on the same
 * file, model and threads, greedy, without temperature fallback, at most BENCH_MAX_TOKENS tokens
 * per segment:
 * - whisper.cpp's own command-line tool (whisper-cli, `scripts/build-whisper.sh --whisper-cli`,
 *   same sources and flags as our addon). It has no max-tokens option, and it cannot run the
 *   random-weights model (its vocabulary has no " " token, which whisper-cli always suppresses):
 *   with that model the row says why it is missing.
 * - the native C++ driver on our whisper.cpp build (`scripts/build-whisper.sh --tools`):
 *   whisper_full over the whole file, its 30 s windows one after another, as whisper-cli does.
 *
 * BENCH_MODEL (default: the random-weights tiny model), BENCH_RUNS (default 3), BENCH_REPEATS
 * (jfk.wav copies in the file, 1 s apart; default 4), BENCH_MAX_TOKENS (default 32) and
 * BENCH_SEGMENTS_IN_FLIGHT (default 4) change the setup.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startApp } from 'src/bootstrap';
import { encodeWavBuffer } from 'src/common/audio/wav-buffer';
import { loadConfig } from 'src/common/config/load-config';
import { fixture, randomWeightsModel } from '../test/helpers/fixtures';
import { freePort } from '../test/helpers/ports';

const ROOT = resolve(__dirname, '..');
const MODEL = process.env.BENCH_MODEL ?? randomWeightsModel();
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 4);
const IN_FLIGHT = process.env.BENCH_SEGMENTS_IN_FLIGHT ?? '4';
const THREADS = 2;
const MAX_TOKENS = process.env.BENCH_MAX_TOKENS ?? '32';
const DRIVER = resolve(ROOT, 'native/whisper-addon/build/rt-whisper-bench-driver');
const WHISPER_CLI = resolve(ROOT, 'native/whisper-addon/build-cli/bin/whisper-cli');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/** jfk.wav REPEATS times with a second of silence after each: a file the VAD cuts REPEATS ways. */
function benchFile(): { path: string; pcmPath: string; seconds: number } {
  const wav = readFileSync(fixture('jfk.wav'));
  const data = wav.subarray(wav.indexOf('data') + 8);
  const speech = new Int16Array(data.buffer, data.byteOffset, Math.floor(data.length / 2));
  const pause = new Int16Array(16000);
  const pcm = new Int16Array((speech.length + pause.length) * REPEATS);
  for (let i = 0; i < REPEATS; i++) pcm.set(speech, i * (speech.length + pause.length));
  const path = join(mkdtempSync(join(tmpdir(), 'rt-bench-openai-')), 'file.wav');
  writeFileSync(path, encodeWavBuffer(pcm, 16000));
  const pcmPath = `${path}.pcm`;
  writeFileSync(pcmPath, Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
  return { path, pcmPath, seconds: pcm.length / 16000 };
}

async function ourPath(file: { path: string; seconds: number }): Promise<number[]> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    ROLE: 'gateway,stt',
    REDIS_URL,
    QUEUE_PREFIX: `bench-openai-${process.pid}`,
    HOST: '127.0.0.1',
    GATEWAY_PORT: String(await freePort()),
    HEALTH_PORT: String(await freePort()),
    DATABASE_URL: 'sqlite::memory:',
    WHISPER_MODEL: MODEL,
    WHISPER_THREADS: String(THREADS),
    STT_POOL_SIZE: '1',
    BEAM_SIZE: '1',
    STT_MAX_TOKENS: MAX_TOKENS,
    TEMPERATURE_FALLBACK: 'false',
    OPENAI_MAX_FILE_BYTES: String(512 * 1024 * 1024),
    OPENAI_SEGMENTS_IN_FLIGHT: IN_FLIGHT,
  });
  const running = await startApp(config);
  const url = `http://127.0.0.1:${config.gateway.port}/v1/audio/transcriptions`;
  const body = readFileSync(file.path);
  const once = async (): Promise<number> => {
    const form = new FormData();
    form.append('file', new Blob([body]), 'file.wav');
    form.append('model', 'whisper-1');
    form.append('language', 'en');
    const started = performance.now();
    const response = await fetch(url, { method: 'POST', body: form });
    if (!response.ok) throw new Error(`upload failed: ${response.status} ${await response.text()}`);
    await response.json();
    return (performance.now() - started) / 1000;
  };
  try {
    await once(); // warm-up: model load, VAD, connections
    const walls: number[] = [];
    for (let run = 0; run < RUNS; run++) walls.push(await once());
    return walls;
  } finally {
    await running.close();
  }
}

/** Wall seconds per run, or why whisper-cli cannot run this model. */
function whisperCli(file: { path: string }): number[] | string {
  if (!existsSync(WHISPER_CLI)) {
    execFileSync('bash', [resolve(ROOT, 'scripts/build-whisper.sh'), '--whisper-cli'], {
      stdio: 'inherit',
    });
  }
  const args = ['-m', MODEL, '-f', file.path, '-t', String(THREADS), '-bs', '1', '-bo', '1'];
  const once = (): number | string => {
    const started = performance.now();
    const run = spawnSync(WHISPER_CLI, [...args, '-nf', '-l', 'en', '-np', '-nt'], {
      encoding: 'utf8',
    });
    if (run.status !== 0) {
      const lines = run.stderr.trim().split('\n');
      return `whisper-cli failed (${run.signal ?? `exit ${run.status}`}): ${lines[lines.length - 1]}`;
    }
    return (performance.now() - started) / 1000;
  };
  const warm = once();
  if (typeof warm === 'string') return warm;
  const walls: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const wall = once();
    if (typeof wall === 'string') return wall;
    walls.push(wall);
  }
  return walls;
}

/** whisper_full over the whole file in plain C++ (no Node.js), first run as warm-up. */
function nativeDriver(file: { pcmPath: string }): number[] {
  if (!existsSync(DRIVER)) {
    execFileSync('bash', [resolve(ROOT, 'scripts/build-whisper.sh'), '--tools'], {
      stdio: 'inherit',
    });
  }
  const out = execFileSync(
    DRIVER,
    [MODEL, file.pcmPath, String(THREADS), MAX_TOKENS, '0', String(RUNS + 1), '1'],
    { encoding: 'utf8' },
  );
  const { runsMs } = JSON.parse(out) as { runsMs: number[] };
  return runsMs.slice(1).map((ms) => ms / 1000);
}

export default async function run(): Promise<void> {
  const file = benchFile();
  console.log(
    `openai-file: ${file.seconds.toFixed(1)} s file (jfk.wav x${REPEATS}), model ${MODEL}, ${THREADS} threads, greedy, no fallback, max ${MAX_TOKENS} tokens per segment, ${RUNS} runs`,
  );
  const ours = await ourPath(file);
  const cli = whisperCli(file);
  const rows = [
    { path: `our API, 1 stt worker (${IN_FLIGHT} segments in flight)`, walls: ours },
    { path: 'native driver, whisper_full on the whole file', walls: nativeDriver(file) },
  ];
  if (typeof cli === 'string') console.log(`whisper-cli: not measured, ${cli}`);
  else rows.push({ path: 'whisper-cli (no max-tokens option)', walls: cli });
  for (const row of rows) {
    const wall = median(row.walls);
    console.log(
      `${row.path}: median ${wall.toFixed(2)} s wall, ${(file.seconds / wall).toFixed(2)} audio s per wall s (runs: ${row.walls.map((w) => w.toFixed(2)).join(', ')} s)`,
    );
  }
}
