/** whisper's encoder sees 30 s as 1500 frames of 20 ms. */
export const FULL_AUDIO_CTX = 1500;
const FRAMES_PER_SECOND = 50;

export interface AudioCtxOptions {
  /** Extra seconds of context after the audio: too tight a window hurts accuracy at the end. */
  marginSeconds: number;
  /** Smallest context used, however short the audio. */
  minFrames: number;
  /** Rounded up to a multiple of this (friendlier matrix shapes, fewer distinct graphs). */
  step: number;
}

export const DEFAULT_AUDIO_CTX: AudioCtxOptions = { marginSeconds: 1, minFrames: 128, step: 64 };

/**
 * AUDIO_CTX=auto: size whisper's audio context to the segment instead of padding to 30 s, which
 * makes the encoder several times cheaper for short utterances. Returns 0 (whisper's default,
 * the full 1500) for 'full' or segments that need the whole window.
 */
export function audioCtxFor(
  seconds: number,
  mode: 'auto' | 'full',
  options: AudioCtxOptions = DEFAULT_AUDIO_CTX,
): number {
  if (mode === 'full' || !Number.isFinite(seconds) || seconds <= 0) return 0;
  const frames = Math.ceil((seconds + options.marginSeconds) * FRAMES_PER_SECOND);
  const rounded = Math.ceil(Math.max(frames, options.minFrames) / options.step) * options.step;
  return rounded >= FULL_AUDIO_CTX ? 0 : rounded;
}
