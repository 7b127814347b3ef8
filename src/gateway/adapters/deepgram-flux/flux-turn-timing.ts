import type { TurnTiming } from '../../../turns';
import { FLUX_EOT_THRESHOLD, type FluxThresholds } from './flux-options';

/**
 * Flux's thresholds onto semantic turn timing. `eot_timeout_ms` is the longest silence of an
 * incomplete turn (`maxSilenceMs`). Deepgram's `eot_threshold` is the model confidence an end of
 * turn needs; our judge's verdict is yes/no, so the threshold says instead how long a complete
 * turn's silence must be: up to the default (0.7) the server's `minSilenceMs`, above it linearly
 * longer, up to `maxSilenceMs` at 1 (never early). It cannot go below the server's minimum: the
 * speculative decode the judge reads only starts after SPECULATIVE_SILENCE_SECONDS.
 * `eager_eot_threshold` only switches the eager events on (see fluxTurnEvents).
 */
export function fluxTurnTiming(thresholds: FluxThresholds, configured: TurnTiming): TurnTiming {
  const maxSilenceMs = thresholds.eotTimeoutMs;
  const floor = Math.min(configured.minSilenceMs, maxSilenceMs);
  const above = Math.max(0, thresholds.eotThreshold - FLUX_EOT_THRESHOLD.default);
  const span = FLUX_EOT_THRESHOLD.max - FLUX_EOT_THRESHOLD.default;
  return {
    ...configured,
    mode: 'semantic',
    minSilenceMs: Math.round(floor + (maxSilenceMs - floor) * (above / span)),
    maxSilenceMs,
  };
}
