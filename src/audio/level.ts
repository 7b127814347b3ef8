/** RMS level in dBFS (-100 for silence). */
export function levelDb(samples: Float32Array): number {
  if (samples.length === 0) return -100;
  let sum = 0;
  for (const value of samples) sum += value * value;
  const rms = Math.sqrt(sum / samples.length);
  return rms > 0 ? Math.max(-100, 20 * Math.log10(rms)) : -100;
}

/** Peak normalisation to `target` (no gain for silence, gain capped so noise is not blown up). */
export function normalizePeak(samples: Float32Array, target = 0.9, maxGain = 20): Float32Array {
  let peak = 0;
  for (const value of samples) {
    const abs = Math.abs(value);
    if (abs > peak) peak = abs;
  }
  if (peak < 1e-4) return samples;
  const gain = Math.min(target / peak, maxGain);
  if (Math.abs(gain - 1) < 0.01) return samples;
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = samples[i]! * gain;
  return out;
}
