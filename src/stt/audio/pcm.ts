export const SAMPLE_RATE = 16000;

/** Audio the worker refuses: a readable reason goes to the session as an `error` message. */
export class BadAudioError extends Error {
  override readonly name = 'BadAudioError';
}

/** Longest segment accepted (whisper works on 30 s windows; the gateway splits at 15 s). */
export const MAX_SEGMENT_SECONDS = 60;

/** Validates binary PCM16 (little endian, mono) and turns it into floats in [-1, 1]. */
export function pcm16ToFloat32(pcm: Buffer | null | undefined): Float32Array {
  if (!pcm) throw new BadAudioError('audio payload is missing or expired');
  if (pcm.length === 0) throw new BadAudioError('audio payload is empty');
  if (pcm.length % 2 !== 0) {
    throw new BadAudioError(`audio payload has ${pcm.length} bytes: PCM16 needs an even count`);
  }
  const samples = pcm.length / 2;
  if (samples > MAX_SEGMENT_SECONDS * SAMPLE_RATE) {
    throw new BadAudioError(
      `audio segment is ${(samples / SAMPLE_RATE).toFixed(1)} s, longer than ${MAX_SEGMENT_SECONDS} s`,
    );
  }
  const out = new Float32Array(samples);
  for (let i = 0; i < samples; i++) out[i] = pcm.readInt16LE(i * 2) / 32768;
  return out;
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
  for (let i = 0; i < samples.length; i++) out[i] = samples[i] * gain;
  return out;
}

export function durationSeconds(samples: Float32Array): number {
  return samples.length / SAMPLE_RATE;
}
