/**
 * Gateway benchmarks (`npm run bench -- gateway [N...]`):
 * - capacity: N clients stream speech in real time through the whole gateway path (decode,
 *   dual VAD, segmentation, audio to Redis, enqueue, result delivery); CPU per stream, event-loop
 *   lag p99 and audio-processing lag p99 of the gateway process;
 * - pipeline overhead: utterance end (last voiced sample + silence threshold) to the `final` at
 *   the client, with a zero-cost stt worker double (so nothing of it is STT compute).
 * The gateway runs in this process; clients and the worker double in a child process; Redis is a
 * private redis-server so the shared one is not loaded.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { startApp } from 'src/bootstrap';
import { loadConfig } from 'src/common/config/load-config';
import { GatewayMetrics } from 'src/gateway/gateway.metrics';
import { freePort } from '../test/helpers/ports';
import { TestRedisServer } from '../test/helpers/redis-server';

interface ClientReport {
  finals: number;
  frames: number;
  wallMs: number;
  overheads: number[];
  pipelineOverheads: number[];
  clientLoopLagP99Ms: number;
  clientLoopLagMaxMs: number;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function runOnce(
  redisUrl: string,
  streams: number,
  seconds: number,
  frameMs: number,
  rate: number,
): Promise<Record<string, number>> {
  const prefix = `bench-gw-${streams}-${Date.now()}`;
  const config = loadConfig({
    ROLE: 'gateway',
    NODE_ENV: 'production',
    // Measures the pipeline, not authentication.
    AUTH_REQUIRED: 'false',
    LOG_LEVEL: 'error',
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    HOST: '127.0.0.1',
    GATEWAY_PORT: String(await freePort()),
    HEALTH_PORT: String(await freePort()),
    SESSION_TTL_SECONDS: '60',
    MAX_QUEUE_DEPTH: '1000000',
    // BENCH_SPECULATIVE_SILENCE_SECONDS=0 measures finals without speculation (as before it).
    SPECULATIVE_SILENCE_SECONDS: process.env.BENCH_SPECULATIVE_SILENCE_SECONDS ?? '0.2',
  });
  const running = await startApp(config);
  for (let i = 0; i < 100; i++) {
    const ready = await fetch(`http://127.0.0.1:${config.http.healthPort}/health/ready`);
    if (ready.ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const metrics = running.app.get(GatewayMetrics);
  // Raw samples for exact percentiles (the metric itself is a bucketed histogram).
  const audioLags: number[] = [];
  let measuring = false;
  const observe = metrics.audioLag.observe.bind(metrics.audioLag);
  metrics.audioLag.observe = ((value: number) => {
    if (measuring) audioLags.push(value * 1000);
    observe(value);
  }) as typeof metrics.audioLag.observe;
  const child = spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      resolve(__dirname, 'gateway-clients.ts'),
      `ws://127.0.0.1:${config.gateway.port}`,
      redisUrl,
      prefix,
      String(streams),
      String(seconds),
      String(frameMs),
      String(rate),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], cwd: resolve(__dirname, '..') },
  );
  const lines = createInterface({ input: child.stdout });
  const report = await new Promise<ClientReport>((done, fail) => {
    let lag: ReturnType<typeof monitorEventLoopDelay> | undefined;
    let cpu: NodeJS.CpuUsage | undefined;
    let started = 0;
    lines.on('line', (line) => {
      const message = JSON.parse(line) as { type: string } & ClientReport;
      if (message.type === 'ready') {
        measuring = true;
        lag = monitorEventLoopDelay({ resolution: 5 });
        lag.enable();
        cpu = process.cpuUsage();
        started = performance.now();
      } else if (message.type === 'report') {
        lag?.disable();
        measuring = false;
        const used = process.cpuUsage(cpu);
        const wall = performance.now() - started;
        Object.assign(message, {
          cpuMs: (used.user + used.system) / 1000,
          measuredMs: wall,
          lagP99: lag ? lag.percentile(99) / 1e6 : Number.NaN,
          lagMax: lag ? lag.max / 1e6 : Number.NaN,
        });
        done(message);
      }
    });
    child.once('exit', (code) => code !== 0 && fail(new Error(`clients exited with ${code}`)));
  });
  const extra = report as ClientReport & {
    cpuMs: number;
    measuredMs: number;
    lagP99: number;
    lagMax: number;
  };
  const audioLagP99 = percentile(audioLags, 99);
  const audioLagP50 = percentile(audioLags, 50);
  await running.close();
  const cpuShare = extra.cpuMs / extra.measuredMs;
  return {
    streams,
    cpuPerStreamPct: (cpuShare / streams) * 100,
    streamsPerCore: streams / cpuShare,
    eventLoopLagP99Ms: extra.lagP99,
    eventLoopLagMaxMs: extra.lagMax,
    audioLagP50Ms: audioLagP50,
    audioLagP99Ms: audioLagP99,
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
}

export async function run(args: string[]): Promise<void> {
  const counts = args.length > 0 ? args.map(Number) : [25, 50, 100, 200];
  const seconds = Number(process.env.BENCH_SECONDS ?? 20);
  const frameMs = Number(process.env.BENCH_FRAME_MS ?? 20);
  const rate = Number(process.env.BENCH_SAMPLE_RATE ?? 16000);
  const redis = new TestRedisServer(await freePort());
  await redis.start();
  const rows: Record<string, number>[] = [];
  try {
    console.log(
      `gateway capacity: ${seconds} s of real-time speech per stream at ${rate} Hz, ` +
        `${frameMs} ms frames, ` +
        `zero-cost stt double, private redis-server`,
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
