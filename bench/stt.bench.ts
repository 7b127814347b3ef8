/**
 * STT benchmark (npm run bench -- stt [speed] [ctx] [load] [rss]; all sections by default).
 *
 * - speed: worker inference time for 2, 5, 10 s segments (random-weights-tiny.bin, 2 threads,
 *   greedy, max 20 tokens, no temperature fallback, full 30 s context) against the native C++
 *   driver on the same whisper.cpp build (scripts/build-whisper.sh --tools) and against
 *   smart-whisper as npm builds it (BENCH_SKIP_STOCK=1 skips it: it is slow).
 * - ctx: encoder time with a segment-sized audio_ctx vs full 30 s padding, and text agreement.
 * - load: 4 streams sending interims every STT_SEND_INTERVAL to a real stt worker on Redis:
 *   interims skipped as stale vs computed, final latency p50/p99.
 * - rss: peak RSS with 1 and 4 whisper contexts, addon only (own weights each vs shared) and
 *   of one stt process (bench/stt-rss.ts).
 *
 * BENCH_MODEL (default: the random-weights tiny model, written on first use) and BENCH_RUNS (default 3)
 * change the model and repetitions; with a real model the text agreement means something.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import { type RunningApp, startApp } from 'src/bootstrap';
import { type AppConfig } from 'src/common/config/app-config';
import { loadConfig } from 'src/common/config/load-config';
import { type SttJob } from 'src/contracts/job-payloads';
import { QueueName } from 'src/contracts/queue-names';
import { RedisClient } from 'src/common/redis/redis.module';
import { AudioStoreService } from 'src/utterance/audio-store.service';
import { type FinalResult } from 'src/contracts/result-messages';
import { ResultStreamService } from 'src/utterance/result-stream.service';
import { UtteranceRevisionsService } from 'src/utterance/utterance-revisions.service';
import { audioCtxFor } from 'src/stt/audio/audio-ctx';
import { pcm16ToFloat32 } from 'src/stt/audio/pcm';
import { ADDON_PATH } from 'src/stt/engine/native-whisper.binding';
import { NativeWhisperEngine } from 'src/stt/engine/native-whisper.engine';
import { type TranscribeRequest, type TranscribeResult } from 'src/stt/engine/whisper-engine';
import { SttMetrics } from 'src/stt/stt.metrics';
import { fixture, randomWeightsModel } from '../test/helpers/fixtures';
import { freePort } from '../test/helpers/ports';
import { enqueueSttJob } from './stt-jobs';
import { rssBench } from './stt-rss';

const ROOT = resolve(__dirname, '..');
const MODEL = process.env.BENCH_MODEL ?? randomWeightsModel();
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const THREADS = 2;
const MAX_TOKENS = 20;
const DRIVER = resolve(ROOT, 'native/whisper-addon/build/rt-whisper-bench-driver');
/** bench/index.ts starts a private redis-server when REDIS_URL is not set. */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const fmt = (ms: number): string => `${ms.toFixed(0)} ms`;

function jfkPcm16(seconds: number): Buffer {
  const wav = readFileSync(fixture('jfk.wav'));
  const data = wav.subarray(wav.indexOf('data') + 8);
  const want = seconds * 32000;
  const chunks: Buffer[] = [];
  let have = 0;
  while (have < want) {
    const part = data.subarray(0, Math.min(data.length, want - have));
    chunks.push(part);
    have += part.length;
  }
  return Buffer.concat(chunks);
}

function benchConfig(overrides: Record<string, string> = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    ROLE: 'stt',
    WHISPER_MODEL: MODEL,
    WHISPER_THREADS: String(THREADS),
    STT_MAX_TOKENS: String(MAX_TOKENS),
    TEMPERATURE_FALLBACK: 'false',
    REDIS_URL,
    ...overrides,
  });
}

function request(pcm: Float32Array, audioCtx: number): TranscribeRequest {
  return {
    pcm,
    language: 'en',
    task: 'transcribe',
    beamSize: 1,
    audioCtx,
    maxTokens: MAX_TOKENS,
    temperatureFallback: false,
    noSpeechThreshold: 0.6,
    wordTimestamps: true,
  };
}

async function timed(
  engine: NativeWhisperEngine,
  req: TranscribeRequest,
): Promise<{ ms: number; result: TranscribeResult }> {
  const started = performance.now();
  const result = await engine.transcribe(req, 'final');
  return { ms: performance.now() - started, result };
}

function loadEngine(overrides: Record<string, string> = {}): NativeWhisperEngine {
  const engine = new NativeWhisperEngine(benchConfig(overrides));
  engine.onModuleInit();
  const status = engine.status();
  if (!status.ready) throw new Error(`engine not ready: ${status.reason ?? '?'}`);
  return engine;
}

function nativeDriver(pcm16: Buffer, audioCtx: number, runs: number): number[] {
  if (!existsSync(DRIVER)) {
    execFileSync('bash', [resolve(ROOT, 'scripts/build-whisper.sh'), '--tools'], {
      stdio: 'inherit',
    });
  }
  const file = join(mkdtempSync(join(tmpdir(), 'rt-bench-')), 'audio.pcm');
  writeFileSync(file, pcm16);
  const out = execFileSync(
    DRIVER,
    [MODEL, file, String(THREADS), String(MAX_TOKENS), String(audioCtx), String(runs + 1), '1'],
    { encoding: 'utf8' },
  );
  const { runsMs } = JSON.parse(out) as { runsMs: number[] };
  return runsMs.slice(1); // the first run warms up
}

/** smart-whisper as npm built it, in a child process (its whisper.cpp logs a lot on stderr). */
function stockSmartWhisper(pcm16: Buffer): number {
  const file = join(mkdtempSync(join(tmpdir(), 'rt-bench-')), 'audio.pcm');
  writeFileSync(file, pcm16);
  const script = `
    const { Whisper } = require('smart-whisper');
    const buf = require('fs').readFileSync(${JSON.stringify(file)});
    const pcm = new Float32Array(buf.length / 2);
    for (let i = 0; i < pcm.length; i++) pcm[i] = buf.readInt16LE(i * 2) / 32768;
    (async () => {
      const whisper = new Whisper(${JSON.stringify(MODEL)}, { gpu: false, offload: 600 });
      await whisper.load();
      const started = performance.now();
      const task = await whisper.transcribe(pcm, { language: 'en', n_threads: ${THREADS},
        max_tokens: ${MAX_TOKENS}, temperature_inc: 0, suppress_blank: false, token_timestamps: true });
      await task.result;
      console.log(performance.now() - started);
      await whisper.free();
    })();`;
  const out = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`smart-whisper failed: ${out.stderr.slice(-500)}`);
  return Number(out.stdout.trim().split('\n').pop());
}

async function speed(): Promise<void> {
  console.log(
    `\n== Inference per segment: ${MODEL.split('/').pop()}, ${THREADS} threads, greedy, max ${MAX_TOKENS} tokens, no fallback, full 30 s context (best of ${RUNS}, interleaved)`,
  );
  const engine = loadEngine({ AUDIO_CTX: 'full' });
  const skipStock = process.env.BENCH_SKIP_STOCK === '1';
  const rows: string[][] = [
    [
      'segment',
      'our worker',
      'native whisper.cpp',
      'speed vs native',
      'smart-whisper stock',
      'speed-up vs stock',
    ],
  ];
  for (const seconds of [2, 5, 10]) {
    const pcm16 = jfkPcm16(seconds);
    const pcm = pcm16ToFloat32(pcm16);
    await timed(engine, request(pcm, 0)); // warm-up
    // Interleaved, best of RUNS each: the machine is shared, the minimum is the least disturbed.
    const ours: number[] = [];
    const natives: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      ours.push((await timed(engine, request(pcm, 0))).ms);
      natives.push(...nativeDriver(pcm16, 0, 2));
    }
    const stock = skipStock ? undefined : stockSmartWhisper(pcm16);
    const mine = Math.min(...ours);
    const native = Math.min(...natives);
    rows.push([
      `${seconds} s`,
      fmt(mine),
      fmt(native),
      `${(native / mine).toFixed(2)}x`,
      stock === undefined ? 'skipped' : fmt(stock),
      stock === undefined ? '-' : `${(stock / mine).toFixed(1)}x`,
    ]);
  }
  await engine.onApplicationShutdown();
  printTable(rows);
}

function words(result: TranscribeResult): string[] {
  return result.segments
    .map((s) => s.text)
    .join(' ')
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean);
}

/** Share of words in common position by position (1 = same text). */
function agreement(a: string[], b: string[]): number {
  if (a.length === 0 && b.length === 0) return 1;
  let same = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] === b[i]) same++;
  return same / Math.max(a.length, b.length);
}

async function ctx(): Promise<void> {
  console.log(`\n== Segment-sized audio_ctx vs 30 s padding (encoder time, best of ${RUNS})`);
  const engine = loadEngine();
  const rows: string[][] = [
    [
      'segment',
      'audio_ctx',
      'encoder (auto)',
      'encoder (full)',
      'less',
      'total auto/full',
      'text agreement',
    ],
  ];
  for (const seconds of [2, 5]) {
    const pcm = pcm16ToFloat32(jfkPcm16(seconds));
    const frames = audioCtxFor(seconds, 'auto');
    const run = async (audioCtx: number): Promise<{ enc: number; ms: number; text: string[] }> => {
      await timed(engine, request(pcm, audioCtx));
      const encs: number[] = [];
      const totals: number[] = [];
      let text: string[] = [];
      for (let i = 0; i < RUNS; i++) {
        const { ms, result } = await timed(engine, request(pcm, audioCtx));
        encs.push(result.timings?.encodeMs ?? NaN);
        totals.push(ms);
        text = words(result);
      }
      return { enc: Math.min(...encs), ms: Math.min(...totals), text };
    };
    const auto = await run(frames);
    const full = await run(0);
    rows.push([
      `${seconds} s`,
      `${frames} / 1500`,
      fmt(auto.enc),
      fmt(full.enc),
      `${(full.enc / auto.enc).toFixed(1)}x`,
      `${fmt(auto.ms)} / ${fmt(full.ms)}`,
      `${(agreement(auto.text, full.text) * 100).toFixed(0)}% (${auto.text.length} vs ${full.text.length} words)`,
    ]);
  }
  await engine.onApplicationShutdown();
  printTable(rows);
  console.log(
    '(random weights write meaningless words, so agreement only shows whether the settings diverge; rerun with BENCH_MODEL=models/ggml-base.en.bin for a real figure)',
  );
}

async function load(): Promise<void> {
  const streams = 4;
  const utterances = 2;
  const utteranceSeconds = 4;
  const prefix = `bench-${Date.now().toString(36)}`;
  const config = benchConfig({ QUEUE_PREFIX: prefix, HEALTH_PORT: String(await freePort()) });
  console.log(
    `\n== Interim load: ${streams} streams, interims every ${config.vad.sttSendIntervalSeconds} s, ${utterances} utterances of ${utteranceSeconds} s each, pool ${config.stt.poolSize}, beam ${config.stt.beamSize} for finals`,
  );
  const running: RunningApp = await startApp(config);
  const redis = running.app.get(RedisClient);
  while (redis.redis.status !== 'ready') await new Promise((r) => setTimeout(r, 20));
  const url = new URL(REDIS_URL);
  const queue = new Queue<SttJob>(QueueName.Stt, {
    connection: { host: url.hostname, port: Number(url.port || 6379) },
    prefix,
  });
  const audio = running.app.get(AudioStoreService);
  const revisions = running.app.get(UtteranceRevisionsService);
  const results = running.app.get(ResultStreamService);
  const metrics = running.app.get(SttMetrics);
  const before = { ...metrics.counts };
  const pcm = jfkPcm16(utteranceSeconds);
  const interval = config.vad.sttSendIntervalSeconds * 1000;

  const send = async (
    sessionId: string,
    index: number,
    revision: number,
    kind: 'interim' | 'final',
    bytes: number,
  ): Promise<void> => {
    await enqueueSttJob(
      { queue, audio, revisions },
      { sessionId, index, revision, kind, pcm16: pcm.subarray(0, bytes) },
    );
  };

  const stream = async (s: number): Promise<void> => {
    const sessionId = `load${s}`;
    await new Promise((r) => setTimeout(r, s * 120)); // streams do not start in lock-step
    for (let index = 1; index <= utterances; index++) {
      let revision = 0;
      for (let t = interval; t < utteranceSeconds * 1000; t += interval) {
        await send(sessionId, index, ++revision, 'interim', Math.round((t / 1000) * 32000));
        await new Promise((r) => setTimeout(r, interval));
      }
      await send(sessionId, index, ++revision, 'final', pcm.length);
      await new Promise((r) => setTimeout(r, 600)); // the silence that ended the utterance
    }
  };
  await Promise.all(Array.from({ length: streams }, (_, s) => stream(s)));

  const finals: FinalResult[] = [];
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    finals.length = 0;
    for (let s = 0; s < streams; s++) {
      for (const entry of await results.readAfter(`load${s}`, '0')) {
        if (entry.message.type === 'final') finals.push(entry.message);
      }
    }
    if (finals.length === streams * utterances) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  // Interims still queued when the last final lands are counted once the queue drains.
  while ((await queue.getJobCountByTypes('wait', 'prioritized', 'active')) > 0) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const skipped = metrics.counts.interimsSkipped - before.interimsSkipped;
  const computed = metrics.counts.interimsComputed - before.interimsComputed;
  const latencies = finals.map((f) => f.latency.totalMs ?? NaN);
  printTable([
    ['interims sent', 'skipped (stale)', 'computed', 'finals', 'final latency p50', 'p99'],
    [
      String(skipped + computed),
      String(skipped),
      String(computed),
      `${finals.length}/${streams * utterances}`,
      fmt(percentile(latencies, 50)),
      fmt(percentile(latencies, 99)),
    ],
  ]);
  await queue.close();
  const keys = await redis.redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.redis.del(...keys);
  await running.close();
}

function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c])).join('  '));
}

export default async function sttBench(args: string[]): Promise<void> {
  const sections = args.length > 0 ? args : ['speed', 'ctx', 'load', 'rss'];
  if (!existsSync(MODEL)) throw new Error(`benchmark model missing: ${MODEL}`);
  console.log(`whisper.cpp addon: ${ADDON_PATH}`);
  for (const section of sections) {
    if (section === 'speed') await speed();
    else if (section === 'ctx') await ctx();
    else if (section === 'load') await load();
    else if (section === 'rss') {
      await rssBench({ model: MODEL, pcm16: jfkPcm16(5), redisUrl: REDIS_URL, pools: [1, 4] });
    } else throw new Error(`unknown section "${section}": speed, ctx, load, rss`);
  }
}
