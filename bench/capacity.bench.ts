/**
 * Capacity (npm run bench -- capacity [1,4,8,12,16,24] [on,off]): independent speakers streaming
 * an 8-sentence English talk in real time, starts spread over the talk (the client's staggered
 * --load-test), against the built service with the real whisper.cpp engine: one gateway process
 * and one stt process (default pool size and threads for this machine) on local Redis.
 *
 * The model is the random-weights tiny model (real tiny cost; words are noise), tokens capped at
 * 24 per utterance, no temperature fallback (random weights would trigger re-decodes a real model
 * would not), SILENCE_THRESHOLD_SECONDS=0.6. Variants: `on` = speculative finals at 0.2 s of
 * silence (the default), `off` = SPECULATIVE_SILENCE_SECONDS=0 (finals start at the threshold, as
 * before speculation), `before` = off plus the defaults from before issue 18 (one context of 2
 * threads, interims never back off), `upload` = on, while a 10-minute file goes through the
 * OpenAI audio API of the same gateway (its segments share the stt workers at a lower priority),
 * run one after the other in the same invocation.
 *
 * Prints one table row per variant and speaker count and writes every report as JSON
 * (BENCH_OUT, default a file in the temp folder). BENCH_MODEL overrides the model; every
 * BENCH_SERVICE_<NAME>=value is passed to both service processes as <NAME>=value (for example
 * BENCH_SERVICE_STT_POOL_SIZE=2 BENCH_SERVICE_WHISPER_THREADS=1).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pacedChunks } from 'src/client/audio/audio-source';
import { buildClip } from 'src/client/audio/demo-audio';
import { encodeWavBuffer } from 'src/common/audio/wav-buffer';
import { type LoadTestReport, runLoadTest } from 'src/client/load-test';
import { freePort } from '../test/helpers/ports';
import { ServiceProcess } from '../test/helpers/processes';
import { ensureBuilt } from './built-service';
import { cleanupPrefix, randomWeightsModel } from '../test/helpers/test-env';

const TALK = [
  'Good morning everyone, and thank you for coming to this short talk about live captions.',
  'Today I want to show how speech turns into text while a person is still speaking.',
  'The microphone sends small pieces of audio to the server many times a second.',
  'A voice detector decides where each sentence begins and where it ends.',
  'While a sentence grows, the listener sees a preview that improves as more words arrive.',
  'When the speaker pauses, the finished sentence is written down and never changes again.',
  'Translations follow right after, so people in other languages can read along.',
  'Thank you for listening, and now I am happy to take your questions.',
];
const THRESHOLD = 0.6;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

interface Row {
  variant: string;
  speakers: number;
  report: LoadTestReport;
  speculations: Record<string, number>;
  /** The `upload` variant: the file's length, and whether (and when) its transcript came back. */
  upload?: { audioSeconds: number; status: number | 'pending'; seconds: number };
}

/** Seconds of audio in the `upload` variant's file. */
const UPLOAD_SECONDS = 600;

/** The talk repeated to UPLOAD_SECONDS, as a WAV file. */
function uploadFile(talk: Int16Array): Buffer {
  const total = UPLOAD_SECONDS * 16000;
  const pcm = new Int16Array(total);
  for (let at = 0; at < total; at += talk.length) pcm.set(talk.subarray(0, total - at), at);
  return encodeWavBuffer(pcm, 16000);
}

/** Posts the file; resolves with the status and the seconds it took once the answer is in. */
function startUpload(
  port: number,
  wav: Buffer,
  signal: AbortSignal,
): Promise<{ status: number; seconds: number }> {
  const started = performance.now();
  const form = new FormData();
  form.append('file', new Blob([wav], { type: 'audio/wav' }), 'lecture.wav');
  form.append('model', 'whisper-1');
  form.append('response_format', 'text');
  return fetch(`http://127.0.0.1:${port}/v1/audio/transcriptions`, {
    method: 'POST',
    body: form,
    signal,
  }).then(async (response) => {
    await response.text();
    return { status: response.status, seconds: (performance.now() - started) / 1000 };
  });
}

function serviceOverrides(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('BENCH_SERVICE_') && value !== undefined) {
      out[name.slice('BENCH_SERVICE_'.length)] = value;
    }
  }
  return out;
}

async function waitReady(port: number, service: ServiceProcess, what: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (service.child.exitCode !== null) throw new Error(`${what} exited:\n${service.output}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health/ready`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${what} not ready:\n${service.output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Sums of a counter's samples by its `outcome` label from a /metrics page. */
async function outcomes(port: number, metric: string): Promise<Record<string, number>> {
  const text = await fetch(`http://127.0.0.1:${port}/metrics`)
    .then((r) => r.text())
    .catch(() => '');
  const out: Record<string, number> = {};
  const pattern = new RegExp(`^${metric}\\{outcome="([a-z_]+)"\\} ([0-9.e+]+)$`, 'gm');
  for (const match of text.matchAll(pattern)) out[match[1]] = Number(match[2]);
  return out;
}

async function runOne(
  variant: string,
  speakers: number,
  talk: { name: string; pcm: Int16Array },
  model: string,
): Promise<Row> {
  const prefix = `bench-cap-${Date.now().toString(36)}`;
  const [gatewayPort, gatewayHealth, sttHealth] = [
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const common = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    HOST: '127.0.0.1',
    DATABASE_URL: 'sqlite::memory:',
    AUTH_REQUIRED: 'false',
    SILENCE_THRESHOLD_SECONDS: String(THRESHOLD),
    SPECULATIVE_SILENCE_SECONDS: variant === 'on' || variant === 'upload' ? '0.2' : '0',
    ...(variant === 'before'
      ? { STT_POOL_SIZE: '1', WHISPER_THREADS: '2', INTERIM_BACKOFF_QUEUE_DEPTH: '1000000' }
      : {}),
    WHISPER_MODEL: model,
    STT_MAX_TOKENS: '24',
    TEMPERATURE_FALLBACK: 'false',
    ...serviceOverrides(),
  };
  const stt = new ServiceProcess({ ...common, ROLE: 'stt', HEALTH_PORT: String(sttHealth) });
  const gateway = new ServiceProcess({
    ...common,
    ROLE: 'gateway',
    HEALTH_PORT: String(gatewayHealth),
    GATEWAY_PORT: String(gatewayPort),
  });
  try {
    await waitReady(sttHealth, stt, 'stt process');
    await waitReady(gatewayHealth, gateway, 'gateway process');
    const abort = new AbortController();
    let upload: Row['upload'];
    const uploading =
      variant === 'upload'
        ? startUpload(gatewayPort, uploadFile(talk.pcm), abort.signal).then(
            (result) => (upload = { audioSeconds: UPLOAD_SECONDS, ...result }),
            () => undefined,
          )
        : undefined;
    if (uploading) await new Promise((r) => setTimeout(r, 2000)); // its segments are queued
    const report = await runLoadTest({
      clients: speakers,
      batches: 1,
      audio: [talk],
      stagger: 'file',
      silenceThresholdSeconds: THRESHOLD,
      session: (index) => ({
        url: `ws://127.0.0.1:${gatewayPort}`,
        source: 'en',
        targets: [],
        interim: true,
        index,
        drainTimeoutMs: 300_000,
        maxReconnects: 0,
      }),
      source: (pcm) => pacedChunks(pcm, { chunkMs: 100 }),
    });
    if (uploading && upload === undefined) {
      upload = { audioSeconds: UPLOAD_SECONDS, status: 'pending', seconds: 0 };
      abort.abort();
    }
    await uploading;
    const speculations = await outcomes(sttHealth, 'rt_stt_speculations_total');
    const gatewaySide = await outcomes(gatewayHealth, 'rt_gateway_speculations_total');
    if (gatewaySide.skipped_busy) speculations.skipped_busy = gatewaySide.skipped_busy;
    return { variant, speakers, report, speculations, upload };
  } finally {
    gateway.kill();
    stt.kill();
    await Promise.all([gateway.exited, stt.exited]);
    await cleanupPrefix(prefix, REDIS_URL);
  }
}

const ms = (v: number): string => (Number.isFinite(v) ? `${Math.round(v)}` : '-');

function printTable(rows: Row[]): void {
  const table = [
    [
      'spec',
      'speakers',
      'ok/refused',
      'finals',
      'speech end->final p50/p95 ms',
      'minus threshold p50/p95',
      'first interim p50/p95',
      'interims/s',
      'speculations conf/wasted/skipped',
    ],
    ...rows.map(({ variant, speakers, report: r, speculations: s }) => [
      variant,
      String(speakers),
      `${r.succeeded}/${r.refused}`,
      String(r.finals),
      `${ms(r.speechEndToFinalMs.p50)} / ${ms(r.speechEndToFinalMs.p95)}`,
      `${ms(r.speechEndToFinalOverThresholdMs.p50)} / ${ms(r.speechEndToFinalOverThresholdMs.p95)}`,
      `${ms(r.firstInterimMs.p50)} / ${ms(r.firstInterimMs.p95)}`,
      r.interimsPerSecond.toFixed(1),
      variant !== 'on' && variant !== 'upload'
        ? '-'
        : `${s.confirmed ?? 0}/${(s.wasted ?? 0) + (s.cancelled_before_start ?? 0)}/${s.skipped_busy ?? 0}`,
    ]),
  ];
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  for (const row of table) console.log(row.map((cell, c) => cell.padEnd(widths[c])).join('  '));
}

export default async function capacity(args: string[]): Promise<void> {
  const speakers = (args[0] ?? '1,4,8,12,16,24').split(',').map(Number);
  const variants = (args[1] ?? 'on,off').split(',');
  const model = process.env.BENCH_MODEL ?? randomWeightsModel();
  ensureBuilt();
  const clip = buildClip(
    TALK.map((text) => ({ language: 'en', text })),
    { pauseSeconds: 1.2 },
  );
  const talk = { name: 'talk-8-sentences', pcm: clip.pcm };
  console.log(
    `== Capacity: ${clip.segments.length}-sentence talk (${clip.duration.toFixed(1)} s) per speaker, real time, starts spread over the talk; ${model.split('/').pop()}, 24 tokens, no fallback, threshold ${THRESHOLD} s; ${availableParallelism()} cores, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(
        ' ',
      )}${Object.keys(serviceOverrides()).length > 0 ? `; ${JSON.stringify(serviceOverrides())}` : ''}`,
  );
  const rows: Row[] = [];
  for (const n of speakers) {
    for (const variant of variants) {
      const row = await runOne(variant, n, talk, model);
      rows.push(row);
      console.log(
        `  ${variant} x${n}: p50 ${ms(row.report.speechEndToFinalMs.p50)} ms, p95 ${ms(row.report.speechEndToFinalMs.p95)} ms (load ${loadavg()[0].toFixed(2)})`,
      );
    }
  }
  printTable(rows);
  for (const row of rows.filter((r) => r.upload)) {
    const { status, seconds } = row.upload!;
    console.log(
      `upload x${row.speakers}: ${UPLOAD_SECONDS} s file ${status === 'pending' ? 'still in progress when the speakers finished (aborted)' : `answered ${status} after ${seconds.toFixed(1)} s`}`,
    );
  }
  const out =
    process.env.BENCH_OUT ?? join(mkdtempSync(join(tmpdir(), 'rt-capacity-')), 'capacity.json');
  writeFileSync(out, `${JSON.stringify({ talkSeconds: clip.duration, model, rows }, null, 2)}\n`);
  console.log(`JSON: ${out}`);
}
