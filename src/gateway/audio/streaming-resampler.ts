/** Zero crossings of the sinc on each side of the kernel: quality against cost. */
const HALF_ZEROS = 8;
/** Kernel table entries per input sample. */
const TABLE_RESOLUTION = 512;

/**
 * Converts a sample stream from one rate to another, chunk by chunk, with a Kaiser-windowed sinc
 * low-pass (anti-aliasing when downsampling). Chunk boundaries do not change the output: pushing
 * a signal in one piece or in many gives the same samples.
 */
export class StreamingResampler {
  private readonly step: number;
  private readonly halfWidth: number;
  private readonly table: Float32Array;
  private buffer = new Float32Array(0);
  /** Absolute index of buffer[0] in the input stream. */
  private bufferStart = 0;
  private received = 0;
  /** Index of the next output sample. */
  private produced = 0;

  constructor(
    readonly inputRate: number,
    readonly outputRate: number,
  ) {
    this.step = inputRate / outputRate;
    // Cutoff in cycles per input sample, a little under the lower Nyquist frequency.
    const cutoff = 0.5 * Math.min(1, outputRate / inputRate) * 0.92;
    this.halfWidth = HALF_ZEROS / (2 * cutoff);
    const size = Math.ceil(this.halfWidth * TABLE_RESOLUTION) + 2;
    this.table = new Float32Array(size);
    const beta = 8;
    const i0Beta = besselI0(beta);
    for (let i = 0; i < size; i++) {
      const t = i / TABLE_RESOLUTION;
      const x = t / this.halfWidth;
      if (x >= 1) continue;
      const arg = 2 * Math.PI * cutoff * t;
      const sinc = t === 0 ? 1 : Math.sin(arg) / arg;
      this.table[i] = 2 * cutoff * sinc * (besselI0(beta * Math.sqrt(1 - x * x)) / i0Beta);
    }
  }

  get passthrough(): boolean {
    return this.inputRate === this.outputRate;
  }

  push(input: Float32Array): Float32Array {
    if (this.passthrough) return input;
    this.append(input);
    return this.drain(false);
  }

  /** Emits the samples still held back (the stream is treated as followed by silence). */
  flush(): Float32Array {
    if (this.passthrough) return new Float32Array(0);
    return this.drain(true);
  }

  private append(input: Float32Array): void {
    this.received += input.length;
    const merged = new Float32Array(this.buffer.length + input.length);
    merged.set(this.buffer);
    merged.set(input, this.buffer.length);
    this.buffer = merged;
  }

  private drain(final: boolean): Float32Array {
    const end = this.bufferStart + this.buffer.length;
    const last = final
      ? Math.ceil(this.received / this.step)
      : Math.floor((end - 1 - this.halfWidth) / this.step) + 1;
    const count = Math.max(0, last - this.produced);
    const out = new Float32Array(count);
    const { table, halfWidth, buffer, bufferStart } = this;
    for (let o = 0; o < count; o++) {
      const t = (this.produced + o) * this.step;
      const from = Math.max(Math.ceil(t - halfWidth), bufferStart);
      const to = Math.min(Math.floor(t + halfWidth), end - 1);
      let sum = 0;
      for (let n = from; n <= to; n++) {
        sum += buffer[n - bufferStart] * table[Math.round(Math.abs(t - n) * TABLE_RESOLUTION)];
      }
      out[o] = sum;
    }
    this.produced += count;
    // Keep only what the next output sample still needs.
    const keepFrom = Math.max(bufferStart, Math.floor(this.produced * this.step - halfWidth) - 1);
    if (keepFrom > bufferStart) {
      this.buffer = this.buffer.subarray(Math.min(keepFrom - bufferStart, this.buffer.length));
      this.bufferStart = keepFrom;
    }
    return out;
  }
}

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 30; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
  }
  return sum;
}
