import { GatewayMetrics } from './gateway.metrics';

async function values(metrics: GatewayMetrics): Promise<Record<string, number>> {
  const sessions = await metrics.sessions.get();
  const active = await metrics.sessionsActive.get();
  return {
    ...Object.fromEntries(sessions.values.map((v) => [String(v.labels.result), v.value])),
    active: active.values[0]?.value ?? 0,
  };
}

describe('GatewayMetrics sessions', () => {
  it('starts every outcome at 0, and counts a started session once as it ends', async () => {
    const metrics = new GatewayMetrics();
    expect(await values(metrics)).toEqual({
      started: 0,
      closed: 0,
      refused: 0,
      error: 0,
      active: 0,
    });
    metrics.sessionStarted();
    metrics.sessionStarted();
    expect(await values(metrics)).toMatchObject({ started: 2, active: 2 });
    metrics.sessionEnded(true, 'closed');
    metrics.sessionEnded(true, 'error');
    // Never started: a refusal counts, a connection that never became a session does not.
    metrics.sessionEnded(false, 'refused');
    metrics.sessionEnded(false, 'closed');
    expect(await values(metrics)).toEqual({
      started: 2,
      closed: 1,
      refused: 1,
      error: 1,
      active: 0,
    });
  });
});
