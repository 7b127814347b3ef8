/**
 * PCM helpers shared by the CLI and the browser: PCM16 conversion, input level. Resampling is
 * ./streaming-resampler (shared with the gateway).
 */

export const TARGET_RATE = 16000;

export function floatToPcm16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]));
    out[i] = s < 0 ? Math.round(s * 0x8000) : Math.round(s * 0x7fff);
  }
  return out;
}

export function pcm16ToFloat(samples: Int16Array): Float32Array {
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = samples[i] / 0x8000;
  return out;
}

/** RMS level in dBFS (-100 for silence). */
export function levelDb(samples: Float32Array): number {
  if (samples.length === 0) return -100;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  const rms = Math.sqrt(sum / samples.length);
  return rms > 0 ? Math.max(-100, 20 * Math.log10(rms)) : -100;
}

/** 0..1 for a level meter: -60 dBFS and below is empty, 0 dBFS full. */
export function levelFraction(db: number): number {
  return Math.max(0, Math.min(1, (db + 60) / 60));
}
