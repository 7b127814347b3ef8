import { type TurnTiming } from './turn-timing';

/**
 * OpenAI Realtime's `turn_detection` onto our turn timing. `server_vad` keeps its silence
 * semantics; `semantic_vad` is `semantic` mode, its `eagerness` scaling the configured
 * (= `medium`) silences. The factors are the ratios of OpenAI's documented maximum waits for
 * low / medium / high (8 s, 4 s, 2 s); `auto` is `medium`, as OpenAI defines it.
 */
export type SemanticVadEagerness = 'low' | 'medium' | 'high' | 'auto';

export type RealtimeTurnDetectionChoice =
  | { type?: 'server_vad'; silence_duration_ms?: number }
  | { type: 'semantic_vad'; eagerness?: SemanticVadEagerness };

export const EAGERNESS_FACTORS: Readonly<Record<SemanticVadEagerness, number>> = {
  low: 2,
  medium: 1,
  high: 0.5,
  auto: 1,
};

/** `configured` is the session's timing from TURN_* and SILENCE_THRESHOLD_SECONDS. */
export function realtimeTurnTiming(
  detection: RealtimeTurnDetectionChoice,
  configured: TurnTiming,
): TurnTiming {
  if (detection.type !== 'semantic_vad') {
    return {
      ...configured,
      mode: 'silence',
      silenceMs: detection.silence_duration_ms ?? configured.silenceMs,
    };
  }
  const factor = EAGERNESS_FACTORS[detection.eagerness ?? 'auto'];
  return {
    ...configured,
    mode: 'semantic',
    minSilenceMs: Math.round(configured.minSilenceMs * factor),
    maxSilenceMs: Math.round(configured.maxSilenceMs * factor),
  };
}
