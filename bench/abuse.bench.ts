/**
 * One hostile client against one gateway (`npm run bench -- abuse [attack...]`), while a
 * well-behaved client keeps speaking: the gateway's peak RSS and event-loop delay during the
 * attack, and the well-behaved client's finals (how many, and finalize-to-final latency).
 * Attacks (default: all):
 * - `rates-ws`: 300 native connects, each with another odd `sample_rate` (8001, 8003, ...);
 * - `rates-wav`: 100 WAV uploads of 44 bytes, each with another rate near 384 kHz;
 * - `flac-long`: a FLAC upload of 10 hours of silence;
 * - `wav-slow`: a 20 MB WAV at 1000 Hz (2.8 hours);
 * - `wav-long`: a 30 MB WAV at 8 kHz (1900 s of silence), under every limit.
 * The gateway runs from dist/ (built first when src/ is newer) with gateway-probe.js preloaded;
 * RSS is read from /proc every 20 ms. A zero-cost stt double in this process answers the jobs.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import { type SttJob } from 'src/contracts/job-payloads';
import { QueueName } from 'src/contracts/queue-names';
import { encodeWavBuffer } from 'src/common/audio/wav-buffer';
import { RedisKeys } from 'src/common/redis/redis-keys';
import { jfk, pcmBytes } from '../test/helpers/audio';
import { freePort } from '../test/helpers/ports';
import { ensureBuilt, SERVICE_ENTRY } from './built-service';
import { percentile } from './stats';
import { answerFor, appendAnswer, benchGatewayEnv } from './stt-answer-double';

interface ProbeReport {
  lagP99Ms: number;
  lagMaxMs: number;
}

const MIB = 1024 * 1024;

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

function zeroCostStt(redisUrl: string, prefix: string): { close(): Promise<void> } {
  const keys = new RedisKeys(prefix);
  const redis = new Redis(redisUrl);
  const parsed = new URL(redisUrl);
  const connection = {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    maxRetriesPerRequest: null,
  };
  const answer = async (job: { data: SttJob }): Promise<void> => {
    const data = job.data;
    if (data.kind !== 'final') return;
    await appendAnswer(redis, keys, data, answerFor(data, 'bench-double'), 60);
  };
  const workers = [QueueName.Stt, QueueName.SttUpload].map(
    (queue) => new Worker<SttJob>(queue, answer, { connection, prefix, concurrency: 20 }),
  );
  return {
    async close() {
      await Promise.all(workers.map((worker) => worker.close()));
      redis.disconnect();
    },
  };
}

/** Speaks 2 s of jfk at real-time pace, then finalizes, over and over; times each final. */
function wellBehaved(url: string): { stop(): Promise<{ finals: number; latencies: number[] }> } {
  const speech = jfk().subarray(0, 32000);
  const latencies: number[] = [];
  let finalizedAt = 0;
  let stopped = false;
  const ws = new WebSocket(`${url}/?sample_rate=16000&interim_results=false`);
  const done = new Promise<void>((resolveDone) => ws.once('close', () => resolveDone()));
  ws.on('message', (data, binary) => {
    if (binary) return;
    const frame = JSON.parse((data as Buffer).toString()) as { type: string };
    if (frame.type === 'final' && finalizedAt > 0) {
      latencies.push(performance.now() - finalizedAt);
      finalizedAt = 0;
    }
  });
  const loop = async (): Promise<void> => {
    await new Promise((r) => ws.once('open', r));
    while (!stopped && ws.readyState === WebSocket.OPEN) {
      for (let i = 0; i < speech.length && !stopped; i += 1600) {
        ws.send(pcmBytes(speech.subarray(i, i + 1600)));
        await new Promise((r) => setTimeout(r, 100));
      }
      finalizedAt = performance.now();
      ws.send('{"type":"finalize"}');
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  const running = loop();
  return {
    async stop() {
      stopped = true;
      await running;
      ws.close();
      await done;
      return { finals: latencies.length, latencies };
    },
  };
}

/** A 44-byte WAV: a header at `rate` and no samples. */
function tinyWav(rate: number): Buffer {
  return encodeWavBuffer(new Int16Array(0), rate);
}

function slowWav(bytes: number): Buffer {
  const wav = tinyWav(1000);
  wav.writeUInt32LE(36 + bytes, 4);
  wav.writeUInt32LE(bytes, 40);
  const data = Buffer.alloc(bytes);
  for (let i = 0; i + 1 < bytes; i += 2) data.writeInt16LE(Math.round(Math.sin(i / 7) * 3000), i);
  return Buffer.concat([wav, data]);
}

function longWav(rate: number, seconds: number): Buffer {
  const wav = tinyWav(rate);
  const bytes = rate * seconds * 2;
  wav.writeUInt32LE(36 + bytes, 4);
  wav.writeUInt32LE(bytes, 40);
  return Buffer.concat([wav, Buffer.alloc(bytes)]);
}

function longFlac(seconds: number): Buffer {
  const out = join(mkdtempSync(join(tmpdir(), 'rt-abuse-')), 'long.flac');
  execFileSync('ffmpeg', [
    ...['-nostdin', '-loglevel', 'error', '-f', 'lavfi'],
    ...['-i', 'anullsrc=r=16000:cl=mono', '-t', String(seconds), '-c:a', 'flac', out],
  ]);
  return readFileSync(out);
}

async function upload(base: string, file: Buffer, name: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([file]), name);
  form.append('model', 'whisper-1');
  const response = await fetch(`${base}/v1/audio/transcriptions`, { method: 'POST', body: form });
  const body = await response.text();
  return `${response.status} ${body.slice(0, 160)}`;
}

function connectOnce(url: string): Promise<string> {
  return new Promise((done) => {
    const ws = new WebSocket(url);
    ws.on('message', (data, binary) => {
      if (binary) return;
      const frame = JSON.parse((data as Buffer).toString()) as { type: string; code?: string };
      if (frame.type === 'session') ws.close();
      if (frame.type === 'error') done(`error ${frame.code}`);
    });
    ws.on('unexpected-response', (_request, response) => {
      done(`http ${response.statusCode}`);
      ws.terminate();
    });
    ws.on('error', () => done('error'));
    ws.on('close', (code) => done(`close ${code}`));
  });
}

type Attack = (ws: string, http: string) => Promise<string[]>;

const ATTACKS: Record<string, Attack> = {
  'rates-ws': async (ws) => {
    const outcomes: string[] = [];
    for (let i = 0; i < 300; i += 10) {
      const batch = Array.from({ length: 10 }, (_, j) => 8001 + 2 * (i + j));
      outcomes.push(
        ...(await Promise.all(batch.map((rate) => connectOnce(`${ws}/?sample_rate=${rate}`)))),
      );
    }
    return outcomes;
  },
  'rates-wav': async (_ws, http) => {
    const outcomes: string[] = [];
    for (let i = 0; i < 100; i++)
      outcomes.push(await upload(http, tinyWav(383_999 - 2 * i), 'a.wav'));
    return outcomes;
  },
  'flac-long': async (_ws, http) => [await upload(http, longFlac(36_000), 'long.flac')],
  'wav-slow': async (_ws, http) => [await upload(http, slowWav(20 * MIB), 'slow.wav')],
  // Under every limit: 1900 s at 8 kHz (30 MB), resampled to 16 kHz in the gateway.
  'wav-long': async (_ws, http) => [await upload(http, longWav(8000, 1900), 'long.wav')],
};

async function runAttack(redisUrl: string, name: string, attack: Attack): Promise<void> {
  const prefix = `bench-abuse-${name}-${Date.now()}`;
  const gatewayPort = await freePort();
  const healthPort = await freePort();
  const gateway: ChildProcess = spawn(
    process.execPath,
    ['-r', resolve(__dirname, 'gateway-probe.js'), SERVICE_ENTRY],
    {
      env: {
        ...benchGatewayEnv({ redisUrl, prefix, gatewayPort, healthPort }),
        SPECULATIVE_SILENCE_SECONDS: '0',
        OPENAI_MAX_FILE_BYTES: String(32 * MIB),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const stt = zeroCostStt(redisUrl, prefix);
  try {
    const deadline = Date.now() + 30_000;
    while (!(await fetch(`http://127.0.0.1:${healthPort}/health/ready`).catch(() => null))?.ok) {
      if (Date.now() > deadline || gateway.exitCode !== null) throw new Error('gateway not ready');
      await new Promise((r) => setTimeout(r, 100));
    }
    const ws = `ws://127.0.0.1:${gatewayPort}`;
    const good = wellBehaved(ws);
    await new Promise((r) => setTimeout(r, 3000));
    const rssBefore = await rssMiB(gateway.pid!);
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      void rssMiB(gateway.pid!)
        .then((rss) => (rssPeak = Math.max(rssPeak, rss)))
        .catch(() => undefined);
    }, 20);
    gateway.send('start');
    const started = performance.now();
    const outcomes = await attack(ws, `http://127.0.0.1:${gatewayPort}`);
    const attackMs = performance.now() - started;
    await new Promise((r) => setTimeout(r, 3000));
    const probe = await new Promise<ProbeReport>((done) => {
      gateway.on('message', (message: { type?: string } & ProbeReport) => {
        if (message.type === 'probe') done(message);
      });
      gateway.send('stop');
    });
    clearInterval(sampler);
    const rssAfter = await rssMiB(gateway.pid!);
    const { finals, latencies } = await good.stop();
    const counts = new Map<string, number>();
    for (const outcome of outcomes) counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
    console.log(
      JSON.stringify({
        attack: name,
        attackMs: Math.round(attackMs),
        outcomes: Object.fromEntries(counts),
        rssBeforeMiB: Math.round(rssBefore),
        rssPeakMiB: Math.round(rssPeak),
        rssAfterMiB: Math.round(rssAfter),
        loopLagP99Ms: Number(probe.lagP99Ms.toFixed(1)),
        loopLagMaxMs: Number(probe.lagMaxMs.toFixed(1)),
        goodFinals: finals,
        goodFinalP50Ms: Math.round(percentile(latencies, 50)),
        goodFinalMaxMs: Math.round(Math.max(0, ...latencies)),
        gatewayAlive: gateway.exitCode === null,
      }),
    );
  } finally {
    await stt.close();
    const exited = new Promise((r) => gateway.once('exit', r));
    if (gateway.exitCode === null) gateway.kill('SIGTERM');
    await exited;
  }
}

export default async function run(args: string[]): Promise<void> {
  const names = args.length > 0 ? args : Object.keys(ATTACKS);
  const unknown = names.find((name) => !ATTACKS[name]);
  if (unknown)
    throw new Error(`unknown attack ${unknown}; known: ${Object.keys(ATTACKS).join(', ')}`);
  ensureBuilt();
  const redisUrl = process.env.REDIS_URL;
  if (!redisUrl) throw new Error('REDIS_URL is set by bench/index.ts');
  for (const name of names) await runAttack(redisUrl, name, ATTACKS[name]);
}
