/**
 * Gateway benchmarks (`npm run bench -- gateway [N...]`):
 * - capacity: N clients stream speech in real time through the whole gateway path (decode,
 *   dual VAD, segmentation, audio to Redis, enqueue, result delivery); CPU per stream, event-loop
 *   lag p99 and audio-processing lag p99 of the gateway process;
 * - pipeline overhead: utterance end (last voiced sample + silence threshold) to the `final` at
 *   the client, with a zero-cost stt worker double (so nothing of it is STT compute).
 * The gateway runs as users run it, `node dist/main.js` (built first when src/ is newer), with a
 * small preloaded probe (gateway-probe.js) that measures it from inside; clients and the worker
 * double run in another process; Redis is a private redis-server so the shared one is not loaded.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from '../test/helpers/ports';
import { TestRedisServer } from '../test/helpers/redis-server';
import { ensureBuilt, SERVICE_ENTRY } from './built-service';
import { percentile } from './stats';
import { benchGatewayEnv } from './stt-answer-double';

interface ClientReport {
  finals: number;
  frames: number;
  wallMs: number;
  overheads: number[];
  pipelineOverheads: number[];
  clientLoopLagP99Ms: number;
  clientLoopLagMaxMs: number;
}

/** What gateway-probe.js measured in the gateway over the measured window. */
interface ProbeReport {
  cpuMs: number;
  measuredMs: number;
  lagP99Ms: number;
  lagMaxMs: number;
  audioLagsMs: number[];
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

function probe(gateway: ChildProcess): Promise<ProbeReport> {
  return new Promise((done) => {
    gateway.on('message', (message: { type?: string } & ProbeReport) => {
      if (message.type === 'probe') done(message);
    });
    gateway.send('stop');
  });
}

async function runOnce(
  redisUrl: string,
  streams: number,
  seconds: number,
  frameMs: number,
  rate: number,
): Promise<Record<string, number>> {
  const prefix = `bench-gw-${streams}-${Date.now()}`;
  const gatewayPort = await freePort();
  const healthPort = await freePort();
  const gateway = spawn(
    process.execPath,
    ['-r', resolve(__dirname, 'gateway-probe.js'), SERVICE_ENTRY],
    {
      env: {
        ...benchGatewayEnv({ redisUrl, prefix, gatewayPort, healthPort }),
        SESSION_TTL_SECONDS: '60',
        MAX_QUEUE_DEPTH: '1000000',
        // BENCH_SPECULATIVE_SILENCE_SECONDS=0 measures finals without speculation (as before it).
        SPECULATIVE_SILENCE_SECONDS: process.env.BENCH_SPECULATIVE_SILENCE_SECONDS ?? '0.2',
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  try {
    await waitReady(healthPort, gateway);
    const clients = spawn(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
        resolve(__dirname, 'gateway-clients.ts'),
        `ws://127.0.0.1:${gatewayPort}`,
        redisUrl,
        prefix,
        String(streams),
        String(seconds),
        String(frameMs),
        String(rate),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'], cwd: resolve(__dirname, '..') },
    );
    const lines = createInterface({ input: clients.stdout });
    const report = await new Promise<ClientReport>((done, fail) => {
      lines.on('line', (line) => {
        const message = JSON.parse(line) as { type: string } & ClientReport;
        if (message.type === 'ready') gateway.send('start');
        else if (message.type === 'report') done(message);
      });
      clients.once('exit', (code) => code !== 0 && fail(new Error(`clients exited with ${code}`)));
    });
    const measured = await probe(gateway);
    const cpuShare = measured.cpuMs / measured.measuredMs;
    return {
      streams,
      cpuPerStreamPct: (cpuShare / streams) * 100,
      streamsPerCore: streams / cpuShare,
      eventLoopLagP99Ms: measured.lagP99Ms,
      eventLoopLagMaxMs: measured.lagMaxMs,
      audioLagP50Ms: percentile(measured.audioLagsMs, 50),
      audioLagP99Ms: percentile(measured.audioLagsMs, 99),
      finals: report.finals,
      overheadP50Ms: percentile(report.overheads, 50),
      overheadP99Ms: percentile(report.overheads, 99),
      overheadSamples: report.overheads.length,
      pipelineP50Ms: percentile(report.pipelineOverheads, 50),
      pipelineP99Ms: percentile(report.pipelineOverheads, 99),
      pipelineMaxMs: Math.max(...report.pipelineOverheads),
      clientLoopLagP99Ms: report.clientLoopLagP99Ms,
      clientLoopLagMaxMs: report.clientLoopLagMaxMs,
    };
  } finally {
    const exited = new Promise((r) => gateway.once('exit', r));
    if (gateway.exitCode === null) gateway.kill('SIGTERM');
    await exited;
  }
}

export async function run(args: string[]): Promise<void> {
  const counts = args.length > 0 ? args.map(Number) : [25, 50, 100, 200];
  const seconds = Number(process.env.BENCH_SECONDS ?? 20);
  const frameMs = Number(process.env.BENCH_FRAME_MS ?? 20);
  const rate = Number(process.env.BENCH_SAMPLE_RATE ?? 16000);
  ensureBuilt();
  const redis = new TestRedisServer(await freePort());
  await redis.start();
  const rows: Record<string, number>[] = [];
  try {
    console.log(
      `gateway capacity: ${seconds} s of real-time speech per stream at ${rate} Hz, ` +
        `${frameMs} ms frames, ` +
        `zero-cost stt double, private redis-server, the gateway from dist/`,
    );
    for (const streams of counts) {
      const row = await runOnce(redis.url, streams, seconds, frameMs, rate);
      rows.push(row);
      console.log(JSON.stringify(row));
    }
    console.table(
      rows.map((r) => ({
        N: r.streams,
        'CPU/stream %': r.cpuPerStreamPct.toFixed(2),
        'streams/core': r.streamsPerCore.toFixed(0),
        'loop lag p99 ms': r.eventLoopLagP99Ms.toFixed(1),
        'audio lag p50 ms': r.audioLagP50Ms.toFixed(2),
        'audio lag p99 ms': r.audioLagP99Ms.toFixed(1),
        'overhead p50 ms': r.overheadP50Ms.toFixed(1),
        'overhead p99 ms': r.overheadP99Ms.toFixed(1),
        'after VAD end p50 ms': r.pipelineP50Ms.toFixed(1),
        'after VAD end p99 ms': r.pipelineP99Ms.toFixed(1),
        'after VAD end max ms': r.pipelineMaxMs.toFixed(1),
        'loop lag max ms': r.eventLoopLagMaxMs.toFixed(1),
        'clients loop lag max ms': r.clientLoopLagMaxMs.toFixed(1),
        finals: r.finals,
      })),
    );
  } finally {
    await redis.stop();
  }
}

/** Both dispatcher styles (default export and `run`) are served. */
export default run;
