import { FinalRecord, SessionReport } from './run-session';
import { LatencySummary, summarize } from './shared/stats';

export interface LoadTestReport {
  clients: number;
  batches: number;
  sessions: number;
  succeeded: number;
  successRate: number;
  finals: number;
  translations: number;
  errors: number;
  wallSeconds: number;
  /** Finals and translations per second of wall time. */
  throughput: number;
  /** End of utterance audio at the client to its final at the client. */
  latencyMs: LatencySummary;
  /** The gateway's own utterance-end-to-result figure (final.latency.totalMs), when present. */
  serverTotalMs: LatencySummary;
  /** Finals per stt worker. */
  workers: Record<string, number>;
  failures: string[];
}

export function buildLoadReport(
  reports: SessionReport[],
  { clients, batches, wallMs }: { clients: number; batches: number; wallMs: number },
): LoadTestReport {
  const finals: FinalRecord[] = reports.flatMap((r) => r.finals);
  const workers: Record<string, number> = {};
  for (const f of finals) {
    const worker = f.frame.worker ?? 'unknown';
    workers[worker] = (workers[worker] ?? 0) + 1;
  }
  const succeeded = reports.filter((r) => r.ok).length;
  const translations = reports.reduce((n, r) => n + r.translations, 0);
  const wallSeconds = wallMs / 1000;
  return {
    clients,
    batches,
    sessions: reports.length,
    succeeded,
    successRate: reports.length ? succeeded / reports.length : 0,
    finals: finals.length,
    translations,
    errors: reports.reduce((n, r) => n + r.errors.length, 0),
    wallSeconds,
    throughput: wallSeconds > 0 ? (finals.length + translations) / wallSeconds : 0,
    latencyMs: summarize(
      finals.map((f) => f.latencyMs).filter((v): v is number => v !== undefined),
    ),
    serverTotalMs: summarize(
      finals.map((f) => f.frame.latency?.totalMs).filter((v): v is number => typeof v === 'number'),
    ),
    workers,
    failures: reports.filter((r) => !r.ok).map((r) => `#${r.index + 1}: ${r.failure ?? 'failed'}`),
  };
}

const ms = (v: number): string => (Number.isFinite(v) ? `${Math.round(v)} ms` : 'n/a');

export function formatLoadReport(r: LoadTestReport): string {
  const lines = [
    `Load test: ${r.batches} batch(es) x ${r.clients} client(s) = ${r.sessions} sessions in ${r.wallSeconds.toFixed(1)} s`,
    `Success rate: ${(r.successRate * 100).toFixed(1)}% (${r.succeeded}/${r.sessions})`,
    `Results: ${r.finals} finals, ${r.translations} translations, ${r.errors} errors; throughput ${r.throughput.toFixed(2)} results/s`,
    `Latency, end of utterance to final (client): p50 ${ms(r.latencyMs.p50)}, p95 ${ms(r.latencyMs.p95)}, p99 ${ms(r.latencyMs.p99)}, max ${ms(r.latencyMs.max)}`,
  ];
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
