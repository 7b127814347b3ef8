/**
 * How long a silence must last before it ends the turn. `silence` is a fixed threshold
 * (SILENCE_THRESHOLD_SECONDS); `semantic` reads the speculative decode's text: a complete turn
 * ends after `minSilenceMs`, an incomplete one (or one whose text is not known yet) waits up to
 * `maxSilenceMs`. All times are milliseconds; the defaults and their checks are the configuration's
 * (TURN_MODE, TURN_MIN_SILENCE_MS, TURN_MAX_SILENCE_MS).
 */
export type TurnMode = 'silence' | 'semantic';

export interface TurnTiming {
  readonly mode: TurnMode;
  /** The fixed threshold of `silence` mode (SILENCE_THRESHOLD_SECONDS × 1000). */
  readonly silenceMs: number;
  /** Silence that ends a complete turn in `semantic` mode. */
  readonly minSilenceMs: number;
  /** The longest wait for an incomplete turn in `semantic` mode. */
  readonly maxSilenceMs: number;
}
