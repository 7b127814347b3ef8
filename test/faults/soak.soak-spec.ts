/**
 * Soak (npm run test:soak, not in CI): one long session at compressed time through real processes
 * of every role. RSS of every role must stay flat (within 10 % after warm-up) and result latency
 * must not grow. SOAK_MINUTES (audio minutes, default 30) and SOAK_SPEED (times real time,
 * default 5: what one stt worker keeps up with on 2 cores) change the run.
 */
import { readFileSync, writeSync } from 'node:fs';
import { PHRASE_A, PHRASE_B, PHRASE_C } from '../helpers/phrases';
import { randomWeightsModel } from '../helpers/test-env';
import { FaultCluster, type RoleProcess } from './fault-cluster';
import { drain, sessionOf, speechWithPauses, stream } from './fault-client';
import { expectExactlyOnce, TimedClient } from './fault-checks';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 30);
const SPEED = Number(process.env.SOAK_SPEED ?? 5);
const WARM_UP = 0.2;

jest.setTimeout(((MINUTES * 60) / SPEED) * 1000 * 3 + 120_000);

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};

test(`soak: ${MINUTES} audio minutes at ${SPEED}x, memory and latency flat`, async () => {
  const cluster = await FaultCluster.start();
  try {
    const roles: RoleProcess[] = await Promise.all([
      cluster.spawn('gateway'),
      cluster.spawn('stt', { WHISPER_MODEL: randomWeightsModel() }),
      cluster.spawn('translation'),
    ]);
    const block = speechWithPauses(['jfk', PHRASE_A, PHRASE_B, PHRASE_C]);
    const blockSec = block.length / 16000;
    const rounds = Math.ceil((MINUTES * 60) / blockSec);

    const client = await TimedClient.open(`${roles[0].gatewayUrl}/?source=en&targets=es`);
    await sessionOf(client);
    const started = Date.now();
    const samples: { t: number; rss: number[] }[] = [];
    const sampler = setInterval(() => {
      samples.push({ t: Date.now() - started, rss: roles.map((r) => rssMb(r.pid)) });
    }, 2000);
    for (let i = 0; i < rounds; i++) await stream(client, block, SPEED);
    await drain(client, 300_000);
    clearInterval(sampler);
    const elapsed = Date.now() - started;

    const outcomes = expectExactlyOnce(client.frames, ['es']);
    // Latency of each final as the client saw it: arrival minus when its audio end was sent.
    const latencies = outcomes.finals.map((f) => ({
      t: client.timeOf(f) - started,
      ms: client.timeOf(f) - started - ((f.end as number) * 1000) / SPEED,
    }));
    const after = samples.filter((s) => s.t >= elapsed * WARM_UP);
    const early = after.filter((s) => s.t < elapsed * (WARM_UP + 0.2));
    const late = after.filter((s) => s.t >= elapsed * 0.8);
    const lines: string[] = [
      `soak: ${MINUTES} audio minutes at ${SPEED}x in ${(elapsed / 1000).toFixed(0)} s, ${outcomes.finals.length} finals, ${outcomes.errors.length} utterance errors`,
    ];
    const drift: number[] = [];
    roles.forEach((role, i) => {
      const a = mean(early.map((s) => s.rss[i]));
      const b = mean(late.map((s) => s.rss[i]));
      const peak = Math.max(...after.map((s) => s.rss[i]));
      drift.push((b - a) / a);
      lines.push(
        `  ${role.role.padEnd(11)} RSS after warm-up ${a.toFixed(0)} MB, at the end ${b.toFixed(0)} MB (${(((b - a) / a) * 100).toFixed(1)} %), peak ${peak.toFixed(0)} MB`,
      );
    });
    const lEarly = latencies.filter((l) => l.t >= elapsed * WARM_UP && l.t < elapsed * 0.4);
    const lLate = latencies.filter((l) => l.t >= elapsed * 0.8);
    lines.push(
      `  final latency (client, wall ms) median after warm-up ${median(lEarly.map((l) => l.ms)).toFixed(0)}, at the end ${median(lLate.map((l) => l.ms)).toFixed(0)}`,
    );
    writeSync(1, `${lines.join('\n')}\n`);

    // Growth is what a leak looks like; a drop after warm-up is the GC settling.
    for (const d of drift) expect(d).toBeLessThan(0.1);
    expect(outcomes.errors).toEqual([]);
    // Flat latency: the end of the session is not slower than twice its start.
    expect(median(lLate.map((l) => l.ms))).toBeLessThan(
      2 * Math.max(500, median(lEarly.map((l) => l.ms))),
    );
  } finally {
    await cluster.stop();
  }
});
