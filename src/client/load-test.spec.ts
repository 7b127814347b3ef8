import { buildLoadReport, formatLoadReport } from './load-test';
import { SessionReport } from './run-session';

function session(index: number, ok: boolean, latencies: number[], worker = 'w1'): SessionReport {
  return {
    index,
    ok,
    failure: ok ? undefined : 'connection closed (1006) before the session finished',
    finals: latencies.map((latencyMs, i) => ({
      frame: {
        type: 'final',
        utteranceId: `u${i}`,
        seq: i + 1,
        text: 'x',
        language: 'en',
        start: 0,
        end: 1,
        worker,
        latency: { totalMs: latencyMs / 2 },
      },
      receivedAt: 0,
      latencyMs,
    })),
    translations: 1,
    errors: [],
    reconnects: 0,
    durationMs: 1000,
  };
}

describe('load test report', () => {
  it('adds up sessions, latency percentiles, throughput and workers', () => {
    const report = buildLoadReport(
      [
        session(0, true, [100, 200], 'a'),
        session(1, true, [300], 'b'),
        session(2, false, [400], 'a'),
      ],
      { clients: 3, batches: 1, wallMs: 2000 },
    );
    expect(report).toMatchObject({
      sessions: 3,
      succeeded: 2,
      finals: 4,
      translations: 3,
      throughput: 3.5,
      workers: { a: 3, b: 1 },
    });
    expect(report.successRate).toBeCloseTo(2 / 3);
    expect(report.latencyMs).toMatchObject({ p50: 200, p95: 400, p99: 400 });
    expect(report.serverTotalMs.p50).toBe(100);
    const text = formatLoadReport(report);
    expect(text).toContain('Success rate: 66.7% (2/3)');
    expect(text).toContain('p50 200 ms, p95 400 ms, p99 400 ms');
    expect(text).toContain('  a: 3');
    expect(text).toContain('#3: connection closed (1006)');
  });
});
