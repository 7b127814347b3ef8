import { buildLoadReport, formatLoadReport, staggerDelayMs } from './load-test';
import { type SessionReport } from './run-session';

function session(index: number, ok: boolean, latencies: number[], worker = 'w1'): SessionReport {
  return {
    index,
    ok,
    failure: ok ? undefined : 'connection closed (1006) before the session finished',
    finals: latencies.map((latencyMs, i) => ({
      frame: {
        type: 'final',
        utterance_id: `u${i}`,
        seq: i + 1,
        text: 'x',
        translation: '',
        language: 'en',
        start: 0,
        end: 1,
        worker,
        latency: { queueMs: 0, sttMs: 0, totalMs: latencyMs / 2 },
      },
      receivedAt: 0,
      latencyMs,
    })),
    translations: 1,
    interims: 4,
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

  it('reports speech-end-to-final (also over the threshold), first interims and interim rate', () => {
    const base = session(0, true, [500, 900]);
    base.finals[0].speechEndLatencyMs = 700;
    base.finals[1].speechEndLatencyMs = 1100;
    base.finals[0].firstInterimLatencyMs = 800;
    const refused = {
      ...session(1, false, []),
      failure: 'The server is overloaded; try again later. (1013)',
    };
    const report = buildLoadReport([base, refused], {
      clients: 2,
      batches: 1,
      wallMs: 4000,
      staggerSeconds: 30,
      files: ['a.wav'],
      silenceThresholdSeconds: 0.6,
    });
    expect(report.speechEndToFinalMs).toMatchObject({ count: 2, p50: 700, max: 1100 });
    expect(report.speechEndToFinalOverThresholdMs).toMatchObject({ p50: 100, max: 500 });
    expect(report.firstInterimMs).toMatchObject({ count: 1, p50: 800 });
    expect(report.interimsPerSecond).toBe(2); // 8 interims in 4 s
    expect(report.interimsPerSessionSecond).toBe(4); // 8 in 2 sessions of 1 s
    expect(report.refused).toBe(1);
    const text = formatLoadReport(report);
    expect(text).toContain('starts spread over 30.0 s');
    expect(text).toContain('minus the 0.6 s silence threshold: p50 100 ms');
    expect(text).toContain('1 refused as overloaded');
  });

  it('spreads starts evenly over the stagger', () => {
    expect([0, 1, 2, 3].map((i) => staggerDelayMs(i, 4, 20))).toEqual([0, 5000, 10000, 15000]);
    expect(staggerDelayMs(5, 4, 20)).toBe(5000);
    expect(staggerDelayMs(3, 4, 0)).toBe(0);
  });
});
