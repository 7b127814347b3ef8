/**
 * Peak RSS of the stt engine with several whisper contexts (npm run bench -- stt rss).
 *
 * - addon: a bare node process with N contexts transcribing at once, each loading its own copy of
 *   the weights (how the engine worked before) vs N decoding states on one shared model (now).
 * - process: the built service (dist/main.js) with ROLE=stt and STT_POOL_SIZE=N, fed 3N finals
 *   (beam search, real config) and 3N interims of 5 s at once through Redis; peak RSS (VmHWM)
 *   of that process once every final is in its result stream.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue } from 'bullmq';
import { ConfigModule } from 'src/common/config/config.module';
import { loadConfig } from 'src/common/config/load-config';
import { SttJob } from 'src/contracts/job-payloads';
import { QueueName } from 'src/contracts/queue-names';
import { RedisClient, RedisModule } from 'src/common/redis/redis.module';
import { AudioStoreService } from 'src/utterance/audio-store.service';
import { ResultStreamService } from 'src/utterance/result-stream.service';
import { UtteranceModule } from 'src/utterance/utterance.module';
import { UtteranceRevisionsService } from 'src/utterance/utterance-revisions.service';
import { ADDON_PATH } from 'src/stt/engine/native-whisper.binding';
import { freePort } from '../test/helpers/ports';
import { enqueueSttJob } from './stt-jobs';
import { ROOT, ServiceProcess } from '../test/helpers/processes';

export interface RssOptions {
  model: string;
  /** PCM16 at 16 kHz. */
  pcm16: Buffer;
  redisUrl: string;
  pools: number[];
}

const mib = (kib: number): number => kib / 1024;

/** Peak RSS in MiB of a bare node process with `n` contexts transcribing at once. */
function addonPeak(opts: RssOptions, n: number, shared: boolean): number {
  const pcmFile = join(mkdtempSync(join(tmpdir(), 'rt-bench-')), 'audio.pcm');
  writeFileSync(pcmFile, opts.pcm16);
  const script = `
    const b = require(${JSON.stringify(ADDON_PATH)});
    const buf = require('fs').readFileSync(${JSON.stringify(pcmFile)});
    const pcm = new Float32Array(buf.length / 2);
    for (let i = 0; i < pcm.length; i++) pcm[i] = buf.readInt16LE(i * 2) / 32768;
    (async () => {
      const n = Number(process.argv[1]);
      const path = ${JSON.stringify(opts.model)};
      const model = process.argv[2] === 'shared' ? new b.WhisperModel(path, { flashAttn: true }) : path;
      const ctxs = Array.from({ length: n }, () => new b.WhisperContext(model, { flashAttn: true }));
      const base = { language: 'en', threads: 1, maxTokens: 24, temperatureInc: 0, audioCtx: 256 };
      await Promise.all(ctxs.map((c) => c.transcribe(pcm, base)));
      await Promise.all(ctxs.map((c) => c.transcribe(pcm, { ...base, beamSize: 5 })));
      console.log(process.resourceUsage().maxRSS);
    })();`;
  const out = spawnSync(
    process.execPath,
    ['-e', script, String(n), shared ? 'shared' : 'separate'],
    { encoding: 'utf8' },
  );
  if (out.status !== 0) throw new Error(out.stderr);
  return mib(Number(out.stdout.trim()));
}

@Module({})
class ProducerModule {}

async function processPeak(opts: RssOptions, poolSize: number): Promise<number> {
  const prefix = `bench-rss-${Date.now().toString(36)}-${poolSize}`;
  const healthPort = await freePort();
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    ROLE: 'stt',
    REDIS_URL: opts.redisUrl,
    QUEUE_PREFIX: prefix,
    HEALTH_PORT: String(healthPort),
    HOST: '127.0.0.1',
    WHISPER_MODEL: opts.model,
    STT_POOL_SIZE: String(poolSize),
    WHISPER_THREADS: '1',
    STT_MAX_TOKENS: '24',
    TEMPERATURE_FALLBACK: 'false',
    DATABASE_URL: 'sqlite::memory:',
  };
  const config = loadConfig(env);
  const producer = await NestFactory.createApplicationContext(
    {
      module: ProducerModule,
      imports: [ConfigModule.forRoot(config), RedisModule, UtteranceModule],
    },
    { logger: false },
  );
  const url = new URL(opts.redisUrl);
  const queue = new Queue<SttJob>(QueueName.Stt, {
    connection: { host: url.hostname, port: Number(url.port || 6379) },
    prefix,
  });
  const service = new ServiceProcess(env);
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`stt process not ready:\n${service.output}`);
      const ok = await fetch(`http://127.0.0.1:${healthPort}/health/ready`)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const audio = producer.get(AudioStoreService);
    const revisions = producer.get(UtteranceRevisionsService);
    const results = producer.get(ResultStreamService);
    const jobs = 3 * poolSize;
    for (let s = 0; s < jobs; s++) {
      const sessionId = `rss${s}`;
      for (const [revision, kind] of [
        [1, 'interim'],
        [2, 'final'],
      ] as const) {
        await enqueueSttJob(
          { queue, audio, revisions },
          { sessionId, index: 1, revision, kind, pcm16: opts.pcm16 },
        );
      }
    }
    const waitUntil = Date.now() + 300_000;
    for (;;) {
      let finals = 0;
      for (let s = 0; s < jobs; s++) {
        const entries = await results.readAfter(`rss${s}`, '0');
        finals += entries.filter((e) => e.message.type === 'final').length;
      }
      if (finals === jobs) break;
      if (Date.now() > waitUntil) throw new Error(`only ${finals}/${jobs} finals`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const status = readFileSync(`/proc/${service.child.pid}/status`, 'utf8');
    const hwm = /VmHWM:\s+(\d+)/.exec(status);
    if (!hwm) throw new Error('no VmHWM in /proc status');
    return mib(Number(hwm[1]));
  } finally {
    service.kill();
    await service.exited;
    await queue.close();
    const redis = producer.get(RedisClient).redis;
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await producer.close();
  }
}

function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c])).join('  '));
}

export async function rssBench(opts: RssOptions): Promise<void> {
  const [first, ...rest] = opts.pools;
  console.log(
    `\n== Peak RSS, addon only: N contexts each transcribing 5 s greedy then beam 5 at once (${opts.model.split('/').pop()})`,
  );
  const rows = [['contexts', 'own weights each (before)', 'shared weights (now)', 'now vs before']];
  const addon: Record<number, { separate: number; shared: number }> = {};
  for (const n of opts.pools) {
    const separate = addonPeak(opts, n, false);
    const shared = addonPeak(opts, n, true);
    addon[n] = { separate, shared };
    rows.push([
      String(n),
      `${separate.toFixed(0)} MiB (${(separate / (addon[first]?.separate ?? separate)).toFixed(2)}x)`,
      `${shared.toFixed(0)} MiB (${(shared / (addon[first]?.shared ?? shared)).toFixed(2)}x)`,
      `${((shared / separate) * 100).toFixed(0)}%`,
    ]);
  }
  printTable(rows);

  if (!existsSync(resolve(ROOT, 'dist/main.js'))) {
    console.log('(dist/main.js missing: run "npm run build" for the stt process figures)');
    return;
  }
  console.log(
    `\n== Peak RSS of one stt process (dist/main.js, ROLE=stt, WHISPER_THREADS=1): 3N finals (beam 5) and 3N interims of 5 s at once`,
  );
  const procRows = [['STT_POOL_SIZE', 'peak RSS (VmHWM)', `vs pool ${first}`]];
  const peaks: number[] = [];
  for (const n of [first, ...rest]) {
    const peak = await processPeak(opts, n);
    peaks.push(peak);
    procRows.push([String(n), `${peak.toFixed(0)} MiB`, `${(peak / peaks[0]).toFixed(2)}x`]);
  }
  printTable(procRows);
}
