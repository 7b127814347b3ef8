import { TurnJudgement } from './turn-completeness';
import {
  DEFAULT_TURN_TIMING,
  endOfTurnSilenceMs,
  TurnTiming,
  turnTimingProblem,
} from './turn-timing';

const complete: TurnJudgement = { verdict: 'complete', reason: 'terminal-punctuation' };
const incomplete: TurnJudgement = { verdict: 'incomplete', reason: 'continuation-word' };
const semantic: TurnTiming = { ...DEFAULT_TURN_TIMING, mode: 'semantic' };

describe('endOfTurnSilenceMs', () => {
  it('silence mode: the fixed threshold, whatever the text says', () => {
    const silence: TurnTiming = { ...DEFAULT_TURN_TIMING, mode: 'silence', silenceMs: 600 };
    expect(endOfTurnSilenceMs(silence, complete)).toBe(600);
    expect(endOfTurnSilenceMs(silence, incomplete)).toBe(600);
    expect(endOfTurnSilenceMs(silence, undefined)).toBe(600);
  });

  it('semantic mode: complete after the minimum, incomplete or unknown after the maximum', () => {
    expect(endOfTurnSilenceMs(semantic, complete)).toBe(250);
    expect(endOfTurnSilenceMs(semantic, incomplete)).toBe(1500);
    expect(endOfTurnSilenceMs(semantic, undefined)).toBe(1500);
  });

  it('defaults: silence mode at 0.6 s, semantic 250 / 1500 ms', () => {
    expect(DEFAULT_TURN_TIMING).toEqual({
      mode: 'silence',
      silenceMs: 600,
      minSilenceMs: 250,
      maxSilenceMs: 1500,
    });
  });
});

describe('turnTimingProblem', () => {
  it('accepts the defaults and equal bounds', () => {
    expect(turnTimingProblem(DEFAULT_TURN_TIMING)).toBeUndefined();
    expect(
      turnTimingProblem({ ...semantic, minSilenceMs: 800, maxSilenceMs: 800 }),
    ).toBeUndefined();
  });

  it.each<[Partial<TurnTiming>, RegExp]>([
    [{ minSilenceMs: 0 }, /minSilenceMs must be a positive number/],
    [{ maxSilenceMs: Number.NaN }, /maxSilenceMs must be a positive number/],
    [{ silenceMs: -1 }, /silenceMs must be a positive number/],
    [
      { minSilenceMs: 2000, maxSilenceMs: 1500 },
      /minSilenceMs \(2000\) must not exceed maxSilenceMs \(1500\)/,
    ],
  ])('refuses %j', (change, message) => {
    expect(turnTimingProblem({ ...semantic, ...change })).toMatch(message);
  });
});
