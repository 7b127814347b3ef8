import { whisperLogMel } from './whisper-log-mel';

/** Smart Turn v3 looks at the last 8 s of the turn as Whisper features: [1, 80, 800]. */
export const SMART_TURN_SECONDS = 8;
export const SMART_TURN_MEL_BINS = 80;
export const SMART_TURN_FRAMES = 800;
const SAMPLES = SMART_TURN_SECONDS * 16_000;

/**
 * The model input for a turn's audio (16 kHz PCM16): its last 8 s, left-padded with zeros when
 * shorter, normalised to zero mean and unit variance, as Whisper log-mel [80 x 800]. Pure.
 */
export function smartTurnInput(pcm: Int16Array): Float32Array {
  const tail = pcm.subarray(Math.max(0, pcm.length - SAMPLES));
  const audio = new Float32Array(SAMPLES);
  const offset = SAMPLES - tail.length;
  for (let i = 0; i < tail.length; i++) audio[offset + i] = tail[i]! / 32768;
  let mean = 0;
  for (const value of audio) mean += value;
  mean /= SAMPLES;
  let variance = 0;
  for (const value of audio) variance += (value - mean) ** 2;
  const scale = 1 / Math.sqrt(variance / SAMPLES + 1e-7);
  for (let i = 0; i < SAMPLES; i++) audio[i] = (audio[i]! - mean) * scale;
  return whisperLogMel(audio, SMART_TURN_FRAMES, SMART_TURN_MEL_BINS, offset);
}
