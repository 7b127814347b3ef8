/** PCM helpers shared by the CLI and the browser: resampling, PCM16 conversion, input level. */

export const TARGET_RATE = 16000;

/**
 * Linear-interpolation resampler that keeps its phase across chunks, so a stream cut into
 * arbitrary chunks gives the same output as the whole signal. Downsampling first averages over
 * the input span of each output sample (a box filter) to limit aliasing.
 */
export class StreamingResampler {
  private readonly step: number;
  /** Position of the next output sample, in input samples, relative to `carry[0]`. */
  private pos = 0;
  private carry: Float32Array = new Float32Array(0);

  constructor(
    readonly fromRate: number,
    readonly toRate: number = TARGET_RATE,
  ) {
    if (!(fromRate > 0) || !(toRate > 0)) throw new Error('sample rates must be positive');
    this.step = fromRate / toRate;
  }

  push(input: Float32Array): Float32Array {
    if (this.fromRate === this.toRate) return input.slice();
    const data = new Float32Array(this.carry.length + input.length);
    data.set(this.carry);
    data.set(input, this.carry.length);
    const out: number[] = [];
    const half = this.step > 1 ? this.step / 2 : 0;
    while (this.pos + 1 + half < data.length) {
      out.push(this.sample(data, this.pos, half));
      this.pos += this.step;
    }
    const keepFrom = Math.max(0, Math.floor(this.pos - half) - 1);
    this.carry = data.slice(keepFrom);
    this.pos -= keepFrom;
    return Float32Array.from(out);
  }

  private sample(data: Float32Array, pos: number, half: number): number {
    if (half === 0) {
      const i = Math.floor(pos);
      const frac = pos - i;
      return data[i] * (1 - frac) + data[Math.min(i + 1, data.length - 1)] * frac;
    }
    const from = Math.max(0, Math.ceil(pos - half));
    const to = Math.min(data.length - 1, Math.floor(pos + half));
    let sum = 0;
    for (let i = from; i <= to; i++) sum += data[i];
    return to >= from ? sum / (to - from + 1) : data[Math.floor(pos)];
  }
}

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
