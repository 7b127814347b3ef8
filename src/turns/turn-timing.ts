import { TurnJudgement } from './turn-completeness';

/**
 * How long a silence must last before it ends the turn. `silence` is today's fixed threshold
 * (SILENCE_THRESHOLD_SECONDS); `semantic` reads the speculative decode's text: a complete turn
 * ends after `minSilenceMs`, an incomplete one (or one whose text is not known yet) waits up to
 * `maxSilenceMs`. All times are milliseconds.
 */
export type TurnMode = 'silence' | 'semantic';

export const TURN_MODES = ['silence', 'semantic'] as const satisfies readonly TurnMode[];

export interface TurnTiming {
  /** TURN_MODE. */
  readonly mode: TurnMode;
  /** The fixed threshold of `silence` mode (SILENCE_THRESHOLD_SECONDS × 1000). */
  readonly silenceMs: number;
  /** TURN_MIN_SILENCE_MS: silence that ends a complete turn in `semantic` mode. */
  readonly minSilenceMs: number;
  /** TURN_MAX_SILENCE_MS: the longest wait for an incomplete turn in `semantic` mode. */
  readonly maxSilenceMs: number;
}

/** `silence` stays the default until `npm run bench -- turns` has measured `semantic`. */
export const DEFAULT_TURN_MODE: TurnMode = 'silence';
export const DEFAULT_TURN_MIN_SILENCE_MS = 250;
export const DEFAULT_TURN_MAX_SILENCE_MS = 1500;

export const DEFAULT_TURN_TIMING: TurnTiming = {
  mode: DEFAULT_TURN_MODE,
  silenceMs: 600,
  minSilenceMs: DEFAULT_TURN_MIN_SILENCE_MS,
  maxSilenceMs: DEFAULT_TURN_MAX_SILENCE_MS,
};

/** The silence (ms) after which the turn ends, given what is known of its text. */
export function endOfTurnSilenceMs(
  timing: TurnTiming,
  judgement: TurnJudgement | undefined,
): number {
  if (timing.mode === 'silence') return timing.silenceMs;
  return judgement?.verdict === 'complete' ? timing.minSilenceMs : timing.maxSilenceMs;
}

/** Why a TurnTiming cannot work, or undefined when it can. */
export function turnTimingProblem(timing: TurnTiming): string | undefined {
  const { silenceMs, minSilenceMs, maxSilenceMs } = timing;
  for (const [name, value] of Object.entries({ silenceMs, minSilenceMs, maxSilenceMs })) {
    if (!Number.isFinite(value) || value <= 0) return `${name} must be a positive number of ms`;
  }
  if (minSilenceMs > maxSilenceMs) {
    return `minSilenceMs (${minSilenceMs}) must not exceed maxSilenceMs (${maxSilenceMs})`;
  }
  return undefined;
}
