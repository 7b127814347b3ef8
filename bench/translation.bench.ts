/**
 * Translation benchmarks (`npm run bench -- translation`), real Redis and real Apertium:
 * 1. Apertium per-sentence latency and throughput: long-lived null-flush pipelines vs one
 *    `apertium` process per sentence (what a naive integration does), and their ratio.
 * 2. The translation role end to end: enqueue a final on the BullMQ queue until its translation
 *    is in the session's result stream; overhead = that time minus the engine's own time.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { startApp } from '../src/bootstrap';
import { loadConfig } from '../src/common/config/load-config';
import { JOB_PRIORITY } from '../src/common/queues/job-defaults';
import { QueueService } from '../src/common/queues/queue.service';
import { QueueName } from '../src/contracts/queue-names';
import { type TranslationResult } from '../src/contracts/result-messages';
import { parseEntry, ResultStreamService } from '../src/utterance/result-stream.service';
import { ApertiumEngine } from '../src/translation/engines/apertium/apertium.engine';
import { freePort } from '../test/helpers/ports';
import { percentile, summary } from './stats';

const execFileAsync = promisify(execFile);

const SENTENCES = [
  'Hello world.',
  'The cat is black.',
  'I want to eat an apple.',
  'Good morning, my friend.',
  'The house is red and the car is blue.',
  'We will meet tomorrow at the station near the old bridge.',
  'Can you tell me where the nearest hospital is?',
  'The weather was very cold yesterday, but today it is warm.',
];

const PIPELINE_SENTENCES = Number(process.env.BENCH_SENTENCES ?? 400);
const SPAWN_SENTENCES = Number(process.env.BENCH_SPAWN_SENTENCES ?? 20);
const ROLE_JOBS = Number(process.env.BENCH_JOBS ?? 300);

async function apertiumPipelines(): Promise<{ p50: number; perSecond: number }> {
  const engine = new ApertiumEngine({ dataDir: '/usr/share/apertium', timeoutMs: 10_000 });
  await engine.init();
  await engine.translate({ text: 'warm up', source: 'en', target: 'es', priority: 'final' });
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < PIPELINE_SENTENCES; i++) {
    const t0 = performance.now();
    await engine.translate({
      text: SENTENCES[i % SENTENCES.length],
      source: 'en',
      target: 'es',
      priority: 'final',
    });
    latencies.push(performance.now() - t0);
  }
  const perSecond = PIPELINE_SENTENCES / ((performance.now() - started) / 1000);
  console.log(
    `Apertium en-es, long-lived pipeline, ${PIPELINE_SENTENCES} sentences one at a time: ` +
      `${summary(latencies)}, ${perSecond.toFixed(0)} sentences/s`,
  );

  // Several requests in flight (as with several sessions): the pipeline's stages overlap.
  const concurrent = performance.now();
  await Promise.all(
    Array.from({ length: PIPELINE_SENTENCES }, (_, i) =>
      engine.translate({
        text: SENTENCES[i % SENTENCES.length],
        source: 'en',
        target: 'es',
        priority: 'final',
      }),
    ),
  );
  const concurrentPerSecond = PIPELINE_SENTENCES / ((performance.now() - concurrent) / 1000);
  console.log(
    `Apertium en-es, long-lived pipeline, ${PIPELINE_SENTENCES} sentences submitted at once: ` +
      `${concurrentPerSecond.toFixed(0)} sentences/s`,
  );
  await engine.close();
  return { p50: percentile(latencies, 50), perSecond };
}

async function apertiumSpawnPerSentence(): Promise<{ p50: number; perSecond: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'rt-bench-'));
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < SPAWN_SENTENCES; i++) {
    const file = join(dir, `${i}.txt`);
    writeFileSync(file, SENTENCES[i % SENTENCES.length]);
    const t0 = performance.now();
    await execFileAsync('apertium', ['-u', 'eng-spa', file]);
    latencies.push(performance.now() - t0);
  }
  const perSecond = SPAWN_SENTENCES / ((performance.now() - started) / 1000);
  console.log(
    `Apertium en-es, one process per sentence, ${SPAWN_SENTENCES} sentences: ` +
      `${summary(latencies)}, ${perSecond.toFixed(1)} sentences/s`,
  );
  return { p50: percentile(latencies, 50), perSecond };
}

async function roleOverhead(): Promise<void> {
  const prefix = `bench-${process.pid}`;
  const config = loadConfig({
    ...process.env,
    ROLE: 'translation',
    QUEUE_PREFIX: prefix,
    HEALTH_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
  });
  const running = await startApp(config);
  const queues = running.app.get(QueueService);
  const results = running.app.get(ResultStreamService);
  const reader = new Redis(config.redis.url);
  try {
    const sessionId = 'bench';
    const key = results.streamKey(sessionId);
    let lastId = '0';
    const totals: number[] = [];
    const overheads: number[] = [];
    const engineTimes: number[] = [];
    for (let i = 0; i < ROLE_JOBS + 10; i++) {
      const enqueuedAt = Date.now();
      const t0 = performance.now();
      await queues.add(
        QueueName.Translation,
        'final',
        {
          sessionId,
          utteranceId: `bench:${i}`,
          index: i,
          kind: 'final',
          revision: 1,
          text: SENTENCES[i % SENTENCES.length],
          source: 'en',
          targets: ['es'],
          enqueuedAt,
        },
        { priority: JOB_PRIORITY.final },
      );
      const reply = await reader.xread('BLOCK', 10_000, 'STREAMS', key, lastId);
      const total = performance.now() - t0;
      if (!reply) throw new Error('no result within 10 s');
      const entries = reply[0][1];
      lastId = entries[entries.length - 1][0];
      const message = parseEntry(entries[entries.length - 1][1]) as TranslationResult;
      if (i < 10) continue; // warm-up: pipeline start, connections
      totals.push(total);
      engineTimes.push(message.latencyMs);
      overheads.push(total - message.latencyMs);
    }
    console.log(
      `Translation role, ${ROLE_JOBS} finals one at a time (enqueue -> result in stream): ` +
        `total ${summary(totals)}; engine ${summary(engineTimes)}; ` +
        `queue-to-result overhead ${summary(overheads)}`,
    );

    // Throughput with many finals queued at once (concurrency TRANSLATION_CONCURRENCY).
    const burstSession = 'bench-burst';
    const burstKey = results.streamKey(burstSession);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: ROLE_JOBS }, (_, i) =>
        queues.add(
          QueueName.Translation,
          'final',
          {
            sessionId: burstSession,
            utteranceId: `burst:${i}`,
            index: i,
            kind: 'final',
            revision: 1,
            text: SENTENCES[i % SENTENCES.length],
            source: 'en',
            targets: ['es', 'ca'],
            enqueuedAt: Date.now(),
          },
          { priority: JOB_PRIORITY.final },
        ),
      ),
    );
    while ((await reader.xlen(burstKey)) < ROLE_JOBS * 2) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const seconds = (performance.now() - t0) / 1000;
    console.log(
      `Translation role, ${ROLE_JOBS} finals x 2 targets queued at once: ` +
        `${((ROLE_JOBS * 2) / seconds).toFixed(0)} translations/s`,
    );

    // Finals beat interims: one final enqueued behind a flood of interims.
    const floodSession = 'bench-flood';
    const floodKey = results.streamKey(floodSession);
    await Promise.all(
      Array.from({ length: ROLE_JOBS }, (_, i) =>
        queues.add(
          QueueName.Translation,
          'interim',
          {
            sessionId: floodSession,
            utteranceId: `flood:${i}`,
            index: i,
            kind: 'interim',
            revision: 1,
            text: SENTENCES[i % SENTENCES.length],
            source: 'en',
            targets: ['es'],
            enqueuedAt: Date.now(),
          },
          { priority: JOB_PRIORITY.interim },
        ),
      ),
    );
    const f0 = performance.now();
    await queues.add(
      QueueName.Translation,
      'final',
      {
        sessionId: floodSession,
        utteranceId: 'flood:final',
        index: ROLE_JOBS,
        kind: 'final',
        revision: 1,
        text: 'The cat is black.',
        source: 'en',
        targets: ['es'],
        enqueuedAt: Date.now(),
      },
      { priority: JOB_PRIORITY.final },
    );
    let finalMs = NaN;
    let finalPosition = -1;
    while (Number.isNaN(finalMs) || (await reader.xlen(floodKey)) < ROLE_JOBS + 1) {
      if (Number.isNaN(finalMs)) {
        const entries = await results.readAfter(floodSession, '0', ROLE_JOBS + 1);
        const position = entries.findIndex(
          (entry) => entry.message.type === 'translation' && entry.message.kind === 'final',
        );
        if (position >= 0) {
          finalMs = performance.now() - f0;
          finalPosition = position;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const allMs = performance.now() - f0;
    console.log(
      `Final enqueued behind ${ROLE_JOBS} interims: its translation after ${finalMs.toFixed(1)} ms ` +
        `(position ${finalPosition + 1} of ${ROLE_JOBS + 1} in the stream); all interims done after ` +
        `${allMs.toFixed(0)} ms`,
    );
  } finally {
    reader.disconnect();
    await running.close();
    const cleaner = new Redis(config.redis.url);
    let cursor = '0';
    do {
      const [next, keys] = await cleaner.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await cleaner.del(...keys);
    } while (cursor !== '0');
    cleaner.disconnect();
  }
}

export default async function translationBench(): Promise<void> {
  const pipelines = await apertiumPipelines();
  const spawned = await apertiumSpawnPerSentence();
  console.log(
    `Long-lived pipelines vs one process per sentence: ${(spawned.p50 / pipelines.p50).toFixed(0)}x ` +
      `lower p50 latency, ${(pipelines.perSecond / spawned.perSecond).toFixed(0)}x more sentences/s`,
  );
  await roleOverhead();
}
