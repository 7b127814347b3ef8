/**
 * One hostile client against one gateway (issue 24, items 3 and 4), while a well-behaved speaker
 * streams speech in real time on the same gateway (`npm run bench -- flood <audio|rooms> [n]`):
 *
 * - `audio [frames]`: one connection sends `frames` (190) binary frames of 1 MiB of speech at
 *   once (16 kHz PCM16: about 33 s each) and never reads its socket;
 * - `rooms [listeners]`: a room whose stream holds ROOM_STREAM_MAXLEN (20,000) entries, and
 *   `listeners` (200) connections on one listener token, each asking for the whole transcript
 *   and never reading.
 *
 * ROOM_* variables set for the bench are passed to the gateway (`ROOM_MAX_LISTENERS_PER_TOKEN=1000`
 * measures the paged replay without the per-token cap). The gateway runs from dist/ (built first when src/ is newer) with flood-probe.js preloaded:
 * its peak RSS and event-loop delay over the attack. The speaker's finals are timed from the
 * frame that completed the utterance's silence to the final's arrival. A zero-cost stt double
 * answers every job in this process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import { type SttJob } from 'src/contracts/job-payloads';
import { QueueName } from 'src/contracts/queue-names';
import { RedisKeys } from 'src/common/redis/redis-keys';
import { concatPcm, jfk, pcmBytes, silence } from '../test/helpers/audio';
import { freePort } from '../test/helpers/ports';
import { ensureBuilt, SERVICE_ENTRY } from './built-service';
import { percentile } from './stats';
import { answerFor, appendAnswer, benchGatewayEnv } from './stt-answer-double';

const FRAME_MS = 20;
const SILENCE_THRESHOLD = 0.6;
const MIB = 2 ** 20;

interface Probe {
  startRssMiB: number;
  peakRssMiB: number;
  lagP99Ms: number;
  lagMaxMs: number;
}

function redisOptions(url: string): { host: string; port: number; maxRetriesPerRequest: null } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || 6379), maxRetriesPerRequest: null };
}

function sttDouble(redisUrl: string, prefix: string, redis: Redis): Worker<SttJob> {
  const keys = new RedisKeys(prefix);
  return new Worker<SttJob>(
    QueueName.Stt,
    async (job) => {
      const data = job.data;
      if (data.kind !== 'final') return;
      await appendAnswer(redis, keys, data, answerFor(data, 'flood-double'), 120);
    },
    { connection: redisOptions(redisUrl), prefix, concurrency: 50 },
  );
}

/** rt_gateway_audio_seconds_total: the audio the gateway decoded and segmented. */
async function decodedSeconds(healthPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('rt_gateway_audio_seconds_total'));
  return Number(line?.split(' ').pop() ?? 0);
}

async function waitReady(healthPort: number, gateway: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (gateway.exitCode !== null) throw new Error(`the gateway exited with ${gateway.exitCode}`);
    const ready = await fetch(`http://127.0.0.1:${healthPort}/health/ready`).catch(() => null);
    if (ready?.ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the gateway was not ready within 30 s');
}

/** The well-behaved speaker: jfk and silence in a loop, in real time; finals' delays. */
function speaker(url: string): { stop(): { finals: number; delaysMs: number[] } } {
  const pcm = concatPcm(jfk(), silence(1.5));
  const frameSamples = (16000 * FRAME_MS) / 1000;
  const sentAt: number[] = [];
  const delaysMs: number[] = [];
  let finals = 0;
  const ws = new WebSocket(`${url}/v1/stream?sample_rate=16000&interim_results=false`);
  let timer: NodeJS.Timeout | undefined;
  ws.on('open', () => {
    const t0 = performance.now();
    timer = setInterval(() => {
      const due = Math.floor((performance.now() - t0) / FRAME_MS) + 1;
      while (sentAt.length < due && ws.readyState === WebSocket.OPEN) {
        const from = (sentAt.length * frameSamples) % pcm.length;
        const frame = pcm.subarray(from, from + frameSamples);
        ws.send(pcmBytes(frame.length === frameSamples ? frame : silence(FRAME_MS / 1000)));
        sentAt.push(performance.now());
      }
    }, 5);
  });
  ws.on('message', (data) => {
    const frame = JSON.parse((data as Buffer).toString('utf8')) as { type: string; end?: number };
    if (frame.type !== 'final' || frame.end === undefined) return;
    finals++;
    const decided = sentAt[Math.floor(((frame.end + SILENCE_THRESHOLD) * 1000) / FRAME_MS)];
    if (decided !== undefined) delaysMs.push(performance.now() - decided);
  });
  ws.on('error', () => undefined);
  return {
    stop() {
      clearInterval(timer);
      ws.terminate();
      return { finals, delaysMs };
    },
  };
}

/** Opens a socket and stops reading it (the attacker never reads). */
function deaf(url: string, protocols?: string[]): Promise<WebSocket | number> {
  return new Promise((done) => {
    const ws = new WebSocket(url, protocols);
    ws.on('open', () => {
      ws.pause();
      done(ws);
    });
    ws.on('unexpected-response', (_request, response) => {
      done(response.statusCode ?? 0);
      response.resume();
    });
    ws.on('error', () => done(0));
  });
}

async function audioAttack(url: string, frames: number): Promise<Record<string, number>> {
  const speech = pcmBytes(jfk());
  const frame = Buffer.alloc(MIB);
  for (let at = 0; at < MIB; at += speech.length) speech.copy(frame, at);
  const ws = await deaf(`${url}/v1/stream?sample_rate=16000`);
  if (typeof ws === 'number') throw new Error(`the attacker was refused with ${ws}`);
  let closeCode = 0;
  ws.on('close', (code) => (closeCode = code));
  for (let i = 0; i < frames && ws.readyState === WebSocket.OPEN; i++) ws.send(frame);
  await new Promise((r) => setTimeout(r, 15_000));
  ws.terminate();
  return { attackFrames: frames, attackCloseCode: closeCode };
}

async function roomsAttack(
  base: string,
  url: string,
  redisUrl: string,
  prefix: string,
  listeners: number,
): Promise<Record<string, number>> {
  const created = await fetch(`${base}/v1/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  const room = (await created.json()) as { room_id: string };
  const joined = await fetch(`${base}/v1/rooms/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ room: room.room_id }),
  });
  const { token } = (await joined.json()) as { token: string };
  const redis = new Redis(redisUrl);
  const stream = new RedisKeys(prefix).roomStream(room.room_id);
  const text = 'and so my fellow Americans ask not what your country can do for you '.repeat(3);
  for (let seq = 1; seq <= 20_000; seq += 1000) {
    const batch = redis.pipeline();
    for (let i = seq; i < seq + 1000; i++) {
      const frame = { type: 'final', speaker: 'Ana', utterance_id: `s:${i}`, text, language: 'en' };
      batch.xadd(stream, '*', 's', String(i), 'f', JSON.stringify({ ...frame, start: i, end: i }));
    }
    await batch.exec();
  }
  redis.disconnect();
  const outcomes = await Promise.all(
    Array.from({ length: listeners }, () =>
      deaf(`${url}/v1/rooms/${room.room_id}/listen`, ['rt', `bearer.${token}`]),
    ),
  );
  const open = outcomes.filter((o): o is WebSocket => typeof o !== 'number');
  await new Promise((r) => setTimeout(r, 15_000));
  const stillOpen = open.filter((ws) => ws.readyState === WebSocket.OPEN).length;
  for (const ws of open) ws.terminate();
  return { listeners, admitted: open.length, refused: listeners - open.length, stillOpen };
}

export default async function run(args: string[]): Promise<void> {
  const [mode = 'audio', countText] = args;
  if (mode !== 'audio' && mode !== 'rooms') throw new Error('usage: flood <audio|rooms> [n]');
  ensureBuilt();
  const redisUrl = process.env.REDIS_URL!;
  const prefix = `bench-flood-${Date.now()}`;
  const gatewayPort = await freePort();
  const healthPort = await freePort();
  const gateway = spawn(
    process.execPath,
    ['-r', resolve(__dirname, 'flood-probe.js'), SERVICE_ENTRY],
    {
      env: {
        ...benchGatewayEnv({ redisUrl, prefix, gatewayPort, healthPort }),
        MAX_QUEUE_DEPTH: '1000000',
        SPECULATIVE_SILENCE_SECONDS: '0',
        // ROOM_* settings of the bench's own environment reach the gateway (e.g. to lift a cap).
        ...Object.fromEntries(
          Object.entries(process.env).filter(([name]) => name.startsWith('ROOM_')),
        ),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const worker = sttDouble(redisUrl, prefix, redis);
  try {
    await waitReady(healthPort, gateway);
    const url = `ws://127.0.0.1:${gatewayPort}`;
    const good = speaker(url);
    await new Promise((r) => setTimeout(r, 2000));
    gateway.send('start');
    const decodedBefore = await decodedSeconds(healthPort);
    const attack =
      mode === 'audio'
        ? await audioAttack(url, Number(countText ?? 190))
        : await roomsAttack(
            `http://127.0.0.1:${gatewayPort}`,
            url,
            redisUrl,
            prefix,
            Number(countText ?? 200),
          );
    const probe = await new Promise<Probe>((done) => {
      gateway.on('message', (message: { type?: string } & Probe) => {
        if (message.type === 'probe') done(message);
      });
      gateway.send('stop');
    });
    const decoded = (await decodedSeconds(healthPort)) - decodedBefore;
    const { finals, delaysMs } = good.stop();
    const row = {
      mode,
      ...attack,
      decodedAudioSeconds: Math.round(decoded),
      gatewayRssStartMiB: Math.round(probe.startRssMiB),
      gatewayRssPeakMiB: Math.round(probe.peakRssMiB),
      eventLoopDelayP99Ms: Number(probe.lagP99Ms.toFixed(1)),
      eventLoopDelayMaxMs: Number(probe.lagMaxMs.toFixed(1)),
      speakerFinals: finals,
      speakerFinalDelayP50Ms: Math.round(percentile(delaysMs, 50)),
      speakerFinalDelayMaxMs: Math.round(Math.max(0, ...delaysMs)),
    };
    console.log(JSON.stringify(row));
  } finally {
    await worker.close();
    redis.disconnect();
    const exited = new Promise((r) => gateway.once('exit', r));
    if (gateway.exitCode === null) gateway.kill('SIGTERM');
    await exited;
  }
}
