import { type AppConfig } from '../common/config/app-config';

export interface SegmenterOptions {
  /** Silence that ends an utterance (SILENCE_THRESHOLD_SECONDS). */
  readonly silenceThresholdSeconds: number;
  /** WebRTC VAD mode 0 (least aggressive) to 3 (most aggressive) (WEBRTC_SENSITIVITY). */
  readonly webrtcSensitivity: number;
  /** Silero speech-probability threshold 0-1 (SILERO_SENSITIVITY). */
  readonly sileroSensitivity: number;
  /** Audio kept before the speech onset (PRE_SPEECH_BUFFER_SECONDS). */
  readonly preSpeechBufferSeconds: number;
  /** Longest utterance; longer speech is split at its quietest recent point (MAX_UTTERANCE_SECONDS). */
  readonly maxUtteranceSeconds: number;
  /** Interval between interim snapshots of a growing utterance (STT_SEND_INTERVAL). */
  readonly sttSendIntervalSeconds: number;
  /** Emit `interim` events at all (false: only speech-start and final). */
  readonly emitInterims: boolean;
  /**
   * Silence after which a `speculative` event offers the final's audio early (0 = never). It is
   * raised to the post-speech pad, so the speculation has exactly the audio the final will have,
   * and speculation is off when it is not below the silence threshold.
   */
  readonly speculativeSilenceSeconds: number;
  /** Audio kept after the last speech frame in a final (capped by what has arrived). */
  readonly postSpeechPadSeconds: number;
  /** Onset: this many speech frames ... */
  readonly onsetSpeechFrames: number;
  /** ... among this many consecutive frames start an utterance. */
  readonly onsetWindowFrames: number;
  /** How far back from the length limit the split point is searched. */
  readonly splitSearchSeconds: number;
}

export const DEFAULT_SEGMENTER_OPTIONS: SegmenterOptions = {
  silenceThresholdSeconds: 0.6,
  webrtcSensitivity: 3,
  sileroSensitivity: 0.4,
  preSpeechBufferSeconds: 0.3,
  maxUtteranceSeconds: 15,
  sttSendIntervalSeconds: 0.5,
  emitInterims: true,
  speculativeSilenceSeconds: 0,
  postSpeechPadSeconds: 0.2,
  onsetSpeechFrames: 3,
  onsetWindowFrames: 5,
  splitSearchSeconds: 3,
};

export function segmenterOptionsFromConfig(vad: AppConfig['vad']): SegmenterOptions {
  return {
    ...DEFAULT_SEGMENTER_OPTIONS,
    silenceThresholdSeconds: vad.silenceThresholdSeconds,
    webrtcSensitivity: vad.webrtcSensitivity,
    sileroSensitivity: vad.sileroSensitivity,
    preSpeechBufferSeconds: vad.preSpeechBufferSeconds,
    maxUtteranceSeconds: vad.maxUtteranceSeconds,
    sttSendIntervalSeconds: vad.sttSendIntervalSeconds,
    speculativeSilenceSeconds: vad.speculativeSilenceSeconds,
  };
}

function check(ok: boolean, name: string, value: unknown, allowed: string): void {
  if (!ok) throw new RangeError(`Invalid VAD option ${name}=${String(value)}: ${allowed}`);
}

const finite = (v: number): boolean => typeof v === 'number' && Number.isFinite(v);

/** Merges overrides into base and validates the result; throws RangeError naming the bad option. */
export function resolveSegmenterOptions(
  base: SegmenterOptions,
  overrides: Partial<SegmenterOptions> = {},
): SegmenterOptions {
  const o: SegmenterOptions = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) (o as unknown as Record<string, unknown>)[key] = value;
  }
  const w = o.webrtcSensitivity;
  check(Number.isInteger(w) && w >= 0 && w <= 3, 'webrtcSensitivity', w, 'an integer 0-3');
  const s = o.sileroSensitivity;
  check(finite(s) && s >= 0 && s <= 1, 'sileroSensitivity', s, 'a number 0-1');
  const positive: (keyof SegmenterOptions)[] = [
    'silenceThresholdSeconds',
    'maxUtteranceSeconds',
    'sttSendIntervalSeconds',
    'splitSearchSeconds',
  ];
  for (const key of positive) {
    const v = o[key] as number;
    check(finite(v) && v > 0, key, v, 'a number > 0');
  }
  const spec = o.speculativeSilenceSeconds;
  check(finite(spec) && spec >= 0, 'speculativeSilenceSeconds', spec, 'a number >= 0');
  for (const key of ['preSpeechBufferSeconds', 'postSpeechPadSeconds'] as const) {
    check(finite(o[key]) && o[key] >= 0 && o[key] <= 5, key, o[key], 'a number 0-5');
  }
  check(o.maxUtteranceSeconds >= 1, 'maxUtteranceSeconds', o.maxUtteranceSeconds, 'at least 1');
  check(
    Number.isInteger(o.onsetWindowFrames) && o.onsetWindowFrames >= 1,
    'onsetWindowFrames',
    o.onsetWindowFrames,
    'an integer >= 1',
  );
  check(
    Number.isInteger(o.onsetSpeechFrames) &&
      o.onsetSpeechFrames >= 1 &&
      o.onsetSpeechFrames <= o.onsetWindowFrames,
    'onsetSpeechFrames',
    o.onsetSpeechFrames,
    'an integer from 1 to onsetWindowFrames',
  );
  check(typeof o.emitInterims === 'boolean', 'emitInterims', o.emitInterims, 'true or false');
  return o;
}
