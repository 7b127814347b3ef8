import { PIPELINE_SAMPLE_RATE } from '../audio/pipeline-rate';
import { type AudioSource } from './audio/audio-source';
import {
  type FinalRecord,
  type RunObserver,
  type RunOptions,
  runSession,
  type SessionReport,
} from './run-session';
import { type LatencySummary, summarize } from './shared/stats';

export interface LoadTestReport {
  clients: number;
  batches: number;
  sessions: number;
  succeeded: number;
  successRate: number;
  /** Sessions the server turned away as overloaded (close 1013). */
  refused: number;
  finals: number;
  translations: number;
  errors: number;
  wallSeconds: number;
  /** Finals and translations per second of wall time. */
  throughput: number;
  /** Seconds over which session starts were spread (0 = all at once). */
  staggerSeconds: number;
  /** The audio files, client i streaming file i mod n. */
  files: string[];
  /** End of utterance audio at the client to its final at the client. */
  latencyMs: LatencySummary;
  /** End of speech (the server VAD's speech_end) sent to the final received. */
  speechEndToFinalMs: LatencySummary;
  /** The same minus the silence threshold: what the service adds after it could know. */
  speechEndToFinalOverThresholdMs: LatencySummary;
  /** Silence threshold subtracted above (seconds). */
  silenceThresholdSeconds: number;
  /** Start of speech sent to the utterance's first interim received. */
  firstInterimMs: LatencySummary;
  /** Interim frames received per second of wall time, all sessions together. */
  interimsPerSecond: number;
  /** Interim frames per second of session time, on average per session. */
  interimsPerSessionSecond: number;
  /** The gateway's own utterance-end-to-result figure (final.latency.totalMs), when present. */
  serverTotalMs: LatencySummary;
  /** Finals per stt worker. */
  workers: Record<string, number>;
  failures: string[];
}

export interface LoadShape {
  clients: number;
  batches: number;
  wallMs: number;
  staggerSeconds?: number;
  files?: string[];
  silenceThresholdSeconds?: number;
}

const numbers = (values: (number | undefined)[]): number[] =>
  values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));

export function buildLoadReport(reports: SessionReport[], shape: LoadShape): LoadTestReport {
  const { clients, batches, wallMs } = shape;
  const threshold = shape.silenceThresholdSeconds ?? 0.6;
  const finals: FinalRecord[] = reports.flatMap((r) => r.finals);
  const workers: Record<string, number> = {};
  for (const f of finals) {
    const worker = f.frame.worker ?? 'unknown';
    workers[worker] = (workers[worker] ?? 0) + 1;
  }
  const succeeded = reports.filter((r) => r.ok).length;
  const translations = reports.reduce((n, r) => n + r.translations, 0);
  const interims = reports.reduce((n, r) => n + (r.interims ?? 0), 0);
  const sessionSeconds = reports.reduce((n, r) => n + r.durationMs / 1000, 0);
  const wallSeconds = wallMs / 1000;
  const speechEnd = numbers(finals.map((f) => f.speechEndLatencyMs));
  return {
    clients,
    batches,
    sessions: reports.length,
    succeeded,
    successRate: reports.length ? succeeded / reports.length : 0,
    refused: reports.filter((r) => !r.ok && /1013|overloaded/i.test(r.failure ?? '')).length,
    finals: finals.length,
    translations,
    errors: reports.reduce((n, r) => n + r.errors.length, 0),
    wallSeconds,
    throughput: wallSeconds > 0 ? (finals.length + translations) / wallSeconds : 0,
    staggerSeconds: shape.staggerSeconds ?? 0,
    files: shape.files ?? [],
    latencyMs: summarize(numbers(finals.map((f) => f.latencyMs))),
    speechEndToFinalMs: summarize(speechEnd),
    speechEndToFinalOverThresholdMs: summarize(speechEnd.map((v) => v - threshold * 1000)),
    silenceThresholdSeconds: threshold,
    firstInterimMs: summarize(numbers(finals.map((f) => f.firstInterimLatencyMs))),
    interimsPerSecond: wallSeconds > 0 ? interims / wallSeconds : 0,
    interimsPerSessionSecond: sessionSeconds > 0 ? interims / sessionSeconds : 0,
    serverTotalMs: summarize(numbers(finals.map((f) => f.frame.latency?.totalMs))),
    workers,
    failures: reports.filter((r) => !r.ok).map((r) => `#${r.index + 1}: ${r.failure ?? 'failed'}`),
  };
}

const ms = (v: number): string => (Number.isFinite(v) ? `${Math.round(v)} ms` : 'n/a');
const spread = (s: LatencySummary): string =>
  `p50 ${ms(s.p50)}, p95 ${ms(s.p95)}, p99 ${ms(s.p99)}, max ${ms(s.max)}`;

export function formatLoadReport(r: LoadTestReport): string {
  const lines = [
    `Load test: ${r.batches} batch(es) x ${r.clients} client(s) = ${r.sessions} sessions in ${r.wallSeconds.toFixed(1)} s` +
      (r.staggerSeconds > 0 ? `, starts spread over ${r.staggerSeconds.toFixed(1)} s` : ''),
    `Success rate: ${(r.successRate * 100).toFixed(1)}% (${r.succeeded}/${r.sessions})` +
      (r.refused > 0 ? `; ${r.refused} refused as overloaded` : ''),
    `Results: ${r.finals} finals, ${r.translations} translations, ${r.errors} errors; throughput ${r.throughput.toFixed(2)} results/s`,
    `Latency, end of utterance to final (client): p50 ${ms(r.latencyMs.p50)}, p95 ${ms(r.latencyMs.p95)}, p99 ${ms(r.latencyMs.p99)}, max ${ms(r.latencyMs.max)}`,
  ];
  if (r.speechEndToFinalMs.count > 0) {
    lines.push(
      `Latency, end of speech to final: ${spread(r.speechEndToFinalMs)}`,
      `  minus the ${r.silenceThresholdSeconds} s silence threshold: ${spread(r.speechEndToFinalOverThresholdMs)}`,
    );
  }
  if (r.firstInterimMs.count > 0) {
    lines.push(`First interim after start of speech: ${spread(r.firstInterimMs)}`);
  }
  lines.push(
    `Interims: ${r.interimsPerSecond.toFixed(2)}/s in all, ${r.interimsPerSessionSecond.toFixed(2)}/s per session`,
  );
  if (r.serverTotalMs.count > 0) {
    lines.push(
      `Latency reported by the server (utterance end to result written): p50 ${ms(r.serverTotalMs.p50)}, p95 ${ms(r.serverTotalMs.p95)}, p99 ${ms(r.serverTotalMs.p99)}`,
    );
  }
  lines.push('Finals per worker:');
  for (const [worker, count] of Object.entries(r.workers).sort((a, b) => b[1] - a[1])) {
    lines.push(`  ${worker}: ${count}`);
  }
  if (r.failures.length > 0) {
    lines.push('Failed sessions:', ...r.failures.slice(0, 20).map((f) => `  ${f}`));
  }
  return `${lines.join('\n')}\n`;
}

/** Start delay of client `i` of `clients` when starts are spread over `spreadSeconds`. */
export function staggerDelayMs(i: number, clients: number, spreadSeconds: number): number {
  return clients > 0 ? Math.round(((i % clients) / clients) * spreadSeconds * 1000) : 0;
}

export interface LoadTestPlan {
  clients: number;
  batches: number;
  /** Audio of each file (16 kHz mono PCM16) and its name; client i streams file i mod n. */
  audio: { name: string; pcm: Int16Array }[];
  /** Spread starts over this many seconds; 'file' = the length of the client's file; 0 = none. */
  stagger: number | 'file';
  silenceThresholdSeconds?: number;
  session: (index: number) => RunOptions;
  source: (pcm: Int16Array) => AudioSource;
  observer?: RunObserver;
  onSessionDone?: (report: SessionReport) => void;
  onBatchDone?: (batch: number, reports: SessionReport[]) => void;
  signal?: AbortSignal;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/**
 * Runs `batches` batches of `clients` sessions; within a batch, client i waits its share of the
 * stagger before it starts, so independent speakers' utterances do not all end together.
 */
export async function runLoadTest(plan: LoadTestPlan): Promise<LoadTestReport> {
  const reports: SessionReport[] = [];
  const started = Date.now();
  const longest = Math.max(...plan.audio.map((a) => a.pcm.length / PIPELINE_SAMPLE_RATE));
  const spreadSeconds = plan.stagger === 'file' ? longest : plan.stagger;
  for (let batch = 0; batch < plan.batches && !plan.signal?.aborted; batch++) {
    const results = await Promise.all(
      Array.from({ length: plan.clients }, async (_, i) => {
        const index = batch * plan.clients + i;
        const audio = plan.audio[index % plan.audio.length];
        if (!audio) throw new Error('a load test needs at least one audio file');
        const own =
          plan.stagger === 'file' ? audio.pcm.length / PIPELINE_SAMPLE_RATE : spreadSeconds;
        await sleep(staggerDelayMs(i, plan.clients, own), plan.signal);
        const report = await runSession(plan.session(index), plan.source(audio.pcm), plan.observer);
        reports.push(report);
        plan.onSessionDone?.(report);
        return report;
      }),
    );
    plan.onBatchDone?.(batch, results);
  }
  return buildLoadReport(
    reports.sort((a, b) => a.index - b.index),
    {
      clients: plan.clients,
      batches: plan.batches,
      wallMs: Date.now() - started,
      staggerSeconds: spreadSeconds,
      files: plan.audio.map((a) => a.name),
      silenceThresholdSeconds: plan.silenceThresholdSeconds,
    },
  );
}
