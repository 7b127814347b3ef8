import { type TurnTiming } from '../../../turns';
import { fluxTurnTiming } from './flux-turn-timing';

describe('fluxTurnTiming', () => {
  // The server's defaults (SILENCE_THRESHOLD_SECONDS, TURN_MIN/MAX_SILENCE_MS).
  const server: TurnTiming = {
    mode: 'silence',
    silenceMs: 600,
    minSilenceMs: 250,
    maxSilenceMs: 1500,
  };
  const thresholds = { eotThreshold: 0.7, eagerEotThreshold: undefined, eotTimeoutMs: 5000 };

  it('is semantic mode, eot_timeout_ms the longest silence, the server minimum at the default threshold', () => {
    expect(fluxTurnTiming(thresholds, server)).toEqual({
      mode: 'semantic',
      silenceMs: server.silenceMs,
      minSilenceMs: server.minSilenceMs,
      maxSilenceMs: 5000,
    });
  });

  it('keeps the server minimum below the default threshold', () => {
    expect(fluxTurnTiming({ ...thresholds, eotThreshold: 0.5 }, server).minSilenceMs).toBe(250);
  });

  it('lengthens the silence of a complete turn linearly above the default, to the timeout at 1', () => {
    const at = (eotThreshold: number) =>
      fluxTurnTiming({ ...thresholds, eotThreshold, eotTimeoutMs: 1750 }, server).minSilenceMs;
    expect(at(0.85)).toBe(1000);
    expect(at(1)).toBe(1750);
    expect(at(0.8)).toBeLessThan(at(0.9));
  });

  it('never has a minimum above the maximum, whatever the server minimum', () => {
    const timing = fluxTurnTiming(
      { ...thresholds, eotTimeoutMs: 500 },
      { ...server, minSilenceMs: 800 },
    );
    expect(timing).toMatchObject({ minSilenceMs: 500, maxSilenceMs: 500 });
  });
});
