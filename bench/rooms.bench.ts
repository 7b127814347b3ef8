/**
 * Live rooms fan-out (`npm run bench -- rooms [listeners] [finals] [finalsPerSecond]`), after
 * `npm run build` (the gateways are `node dist/main.js` processes):
 * two gateway processes share one room; `listeners` (default 1000) listeners, half on each
 * gateway, in three languages (original, es, ca), first all over WebSocket, then all over SSE.
 * Finals (each followed by its two translations, as the speaker's gateway writes them) are
 * appended to the room stream at `finalsPerSecond`; every listener records when each final
 * arrives. Reports per transport: gateway CPU (share of one core) during the fan-out and per 100
 * listeners, RSS per listener, and final-to-listener delivery p50/p99/max over both gateways.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import { RedisKeys } from 'src/common/redis/redis-keys';
import { loadConfig } from 'src/common/config/load-config';
import { RoomStoreService } from 'src/rooms/room-store.service';
import { freePort } from '../test/helpers/ports';
import { percentile } from './stats';
import { SseReader } from '../test/helpers/sse';

const ROOT = resolve(__dirname, '..');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const LANGUAGES = ['original', 'es', 'ca'];
const TICKS_PER_SECOND = 100;

interface Gateway {
  child: ChildProcess;
  base: string;
  health: string;
}

async function startGateway(prefix: string): Promise<Gateway> {
  const port = await freePort();
  const healthPort = await freePort();
  const child = spawn(process.execPath, [resolve(ROOT, 'dist/main.js')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      ROLE: 'gateway',
      NODE_ENV: 'production',
      AUTH_REQUIRED: 'false',
      LOG_LEVEL: 'error',
      LOG_FORMAT: 'json',
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      HOST: '127.0.0.1',
      GATEWAY_PORT: String(port),
      HEALTH_PORT: String(healthPort),
      DATABASE_URL: 'sqlite::memory:',
      ROOM_JOINS_PER_MINUTE: '100000',
      // Every bench listener shares one token and one address: lift the per-gateway caps.
      ROOM_MAX_LISTENERS_PER_TOKEN: '1000',
      ROOM_MAX_LISTENERS_PER_ADDRESS: '100000',
      ROOM_LISTENER_CONNECTS_PER_MINUTE: '100000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const health = `http://127.0.0.1:${healthPort}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${health}/health/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, base: `http://127.0.0.1:${port}`, health };
}

/** utime + stime of a process, in seconds of CPU. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.split(/\s+/)[1]) * 1024;
}

interface Listener {
  finals: Map<number, number>;
  close(): void;
}

function onFrame(listener: Listener, data: string): void {
  if (!data.startsWith('{"type":"final"')) return;
  const frame = JSON.parse(data) as { seq: number; text: string };
  if (!listener.finals.has(frame.seq))
    listener.finals.set(frame.seq, Date.now() - Number(frame.text));
  else listener.finals.set(-frame.seq, 1); // a duplicate (counted below)
}

function wsListener(
  base: string,
  roomId: string,
  token: string,
  language: string,
): Promise<Listener> {
  return new Promise((resolveOpen, reject) => {
    const url = `${base.replace('http', 'ws')}/v1/rooms/${roomId}/listen?language=${language}`;
    const ws = new WebSocket(url, ['rt', `bearer.${token}`], { perMessageDeflate: false });
    const listener: Listener = { finals: new Map(), close: () => ws.terminate() };
    ws.on('message', (data) => onFrame(listener, (data as Buffer).toString('utf8')));
    ws.once('open', () => resolveOpen(listener));
    ws.once('error', reject);
  });
}

function sseListener(
  base: string,
  roomId: string,
  token: string,
  language: string,
): Promise<Listener> {
  return new Promise((resolveOpen, reject) => {
    const url = `${base}/v1/rooms/${roomId}/events?language=${language}&token=${encodeURIComponent(token)}`;
    const req = httpRequest(url, { agent: false }, (res) => {
      const listener: Listener = { finals: new Map(), close: () => req.destroy() };
      const sse = new SseReader();
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        for (const data of sse.push(chunk)) onFrame(listener, data);
      });
      res.on('error', () => undefined);
      resolveOpen(listener);
    });
    req.on('error', reject);
    req.end();
  });
}

async function runTransport(
  transport: 'ws' | 'sse',
  gateways: Gateway[],
  store: RoomStoreService,
  listeners: number,
  finals: number,
  perSecond: number,
): Promise<Record<string, string | number>> {
  const created = (await (
    await fetch(`${gateways[0].base}/v1/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
  ).json()) as { room_id: string };
  const roomId = created.room_id;
  const joined = (await (
    await fetch(`${gateways[1].base}/v1/rooms/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ room: roomId }),
    })
  ).json()) as { token: string };
  await new Promise((r) => setTimeout(r, 500));
  const rssBefore = gateways.map((g) => rssBytes(g.child.pid!));
  const open = transport === 'ws' ? wsListener : sseListener;
  const clients: Listener[] = [];
  for (let i = 0; i < listeners; i += 50) {
    const batch = [];
    for (let j = i; j < Math.min(listeners, i + 50); j++) {
      batch.push(open(gateways[j % 2].base, roomId, joined.token, LANGUAGES[j % 3]));
    }
    clients.push(...(await Promise.all(batch)));
  }
  // Let replay, presence writes and the sockets settle.
  await new Promise((r) => setTimeout(r, 2000));
  const rssAfter = gateways.map((g) => rssBytes(g.child.pid!));
  const cpuBefore = gateways.map((g) => cpuSeconds(g.child.pid!));
  const started = Date.now();
  for (let seq = 1; seq <= finals; seq++) {
    const speaker = 'Bench';
    const utterance = `bench:${seq}`;
    await store.publish(
      roomId,
      {
        type: 'final',
        speaker,
        utterance_id: utterance,
        text: String(Date.now()),
        language: 'en',
        start: seq,
        end: seq + 1,
      },
      `f:${seq}`,
      utterance,
    );
    for (const language of ['es', 'ca']) {
      await store.publish(
        roomId,
        {
          type: 'translation',
          speaker,
          utterance_id: utterance,
          language,
          source: 'en',
          text: `${language} ${seq} `.repeat(8),
        },
        `t:${seq}:${language}`,
        utterance,
      );
    }
    const due = started + (seq * 1000) / perSecond;
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
  }
  // Wait for stragglers (at most 5 s).
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && clients.some((c) => c.finals.size < finals)) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const wall = (Date.now() - started) / 1000;
  const cpu = gateways.map((g, i) => cpuSeconds(g.child.pid!) - cpuBefore[i]);
  const latencies: number[] = [];
  let missing = 0;
  let duplicates = 0;
  for (const c of clients) {
    for (let seq = 1; seq <= finals; seq++) {
      const ms = c.finals.get(seq);
      if (ms === undefined) missing++;
      else latencies.push(ms);
      if (c.finals.has(-seq)) duplicates++;
    }
    c.close();
  }
  await store.end(roomId);
  const perGateway = listeners / gateways.length;
  const cpuShare = cpu.map((s) => s / wall);
  const fmt = (n: number, d = 1) => n.toFixed(d);
  return {
    transport,
    listeners,
    'finals/s': perSecond,
    'gateway CPU % (A, B)': cpuShare.map((s) => fmt(s * 100)).join(', '),
    'CPU % per 100 listeners': fmt((Math.max(...cpuShare) * 100 * 100) / perGateway, 2),
    'RSS KB per listener': fmt(
      (rssAfter.reduce((a, b) => a + b, 0) - rssBefore.reduce((a, b) => a + b, 0)) /
        listeners /
        1024,
    ),
    'p50 ms': fmt(percentile(latencies, 50)),
    'p99 ms': fmt(percentile(latencies, 99)),
    'max ms': fmt(Math.max(...latencies)),
    missing,
    duplicates,
  };
}

export default async function run(args: string[]): Promise<void> {
  const listeners = Number(args[0] ?? 1000);
  const finals = Number(args[1] ?? 40);
  const perSecond = Number(args[2] ?? 4);
  const prefix = `bench-rooms-${Date.now()}`;
  const gateways = await Promise.all([startGateway(prefix), startGateway(prefix)]);
  const redis = new Redis(REDIS_URL);
  const config = loadConfig({ REDIS_URL, QUEUE_PREFIX: prefix, ROOM_STREAM_MAXLEN: '20000' });
  const client = { redis, keys: new RedisKeys(prefix) };
  const store = new RoomStoreService(client, config);
  try {
    const rows = [];
    for (const transport of ['ws', 'sse'] as const) {
      rows.push(await runTransport(transport, gateways, store, listeners, finals, perSecond));
      console.log(JSON.stringify(rows.at(-1)));
    }
    console.table(rows);
  } finally {
    redis.disconnect();
    for (const g of gateways) g.child.kill('SIGTERM');
  }
}
