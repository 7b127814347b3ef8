/** Zero crossings of the sinc on each side of the kernel: quality against cost. */
const HALF_ZEROS = 8;
/** Kaiser window shape. */
const BETA = 8;
/**
 * Most filter phases precomputed. Rate pairs whose reduced ratio needs more (odd rates like
 * 44101 Hz) use the nearest of this many phases: a timing error under 1/8000 of a sample.
 */
const MAX_PHASES = 4096;

interface Filter {
  /** Input samples per output sample. */
  step: number;
  /** Reach of the kernel on each side, in input samples. */
  halfWidth: number;
  /** Output k sits at input time k * down / up; its taps depend only on (k * down) % up. */
  up: number;
  down: number;
  /** Phases precomputed: `up`, or MAX_PHASES when `up` is larger. */
  phases: number;
  /** Per phase: index of the first input sample relative to floor(t), and the weights. */
  first: Int32Array;
  weights: Float32Array[];
}

/**
 * Filters kept for reuse, least recently used first. The gateway accepts a fixed set of rates
 * (SAMPLE_RATES), so this is a bound in depth: a filter can weigh megabytes, and a cache keyed
 * by whatever rate a caller passes would otherwise only grow. A stream keeps its own filter
 * after eviction.
 */
const MAX_CACHED_FILTERS = 12;
const filters = new Map<string, Filter>();

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
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

/** The polyphase filter for a rate pair, built once and shared by every stream using it. */
function filterFor(inputRate: number, outputRate: number): Filter {
  const key = `${inputRate}:${outputRate}`;
  const cached = filters.get(key);
  if (cached) {
    filters.delete(key);
    filters.set(key, cached);
    return cached;
  }
  const divisor = gcd(inputRate, outputRate);
  const up = outputRate / divisor;
  const down = inputRate / divisor;
  const phases = Math.min(up, MAX_PHASES);
  // Cutoff in cycles per input sample, a little under the lower Nyquist frequency.
  const cutoff = 0.5 * Math.min(1, outputRate / inputRate) * 0.92;
  const halfWidth = HALF_ZEROS / (2 * cutoff);
  const i0Beta = besselI0(BETA);
  const kernel = (t: number): number => {
    const x = Math.abs(t) / halfWidth;
    if (x >= 1) return 0;
    const arg = 2 * Math.PI * cutoff * t;
    const sinc = t === 0 ? 1 : Math.sin(arg) / arg;
    return 2 * cutoff * sinc * (besselI0(BETA * Math.sqrt(1 - x * x)) / i0Beta);
  };
  const first = new Int32Array(phases);
  const weights: Float32Array[] = [];
  for (let phase = 0; phase < phases; phase++) {
    const frac = phase / phases;
    const from = Math.ceil(frac - halfWidth);
    const to = Math.floor(frac + halfWidth);
    first[phase] = from;
    const taps = new Float32Array(to - from + 1);
    for (let j = from; j <= to; j++) taps[j - from] = kernel(frac - j);
    weights.push(taps);
  }
  const filter = { step: down / up, halfWidth, up, down, phases, first, weights };
  filters.set(key, filter);
  if (filters.size > MAX_CACHED_FILTERS) filters.delete(filters.keys().next().value!);
  return filter;
}

/**
 * Converts a sample stream from one rate to another, chunk by chunk, with a Kaiser-windowed sinc
 * low-pass (anti-aliasing when downsampling), as a polyphase filter: each output sample is one
 * dot product with precomputed taps. Chunk boundaries do not change the output: pushing a signal
 * in one piece or in many gives the same samples.
 */
export class StreamingResampler {
  private readonly filter: Filter | undefined;
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
    this.filter = inputRate === outputRate ? undefined : filterFor(inputRate, outputRate);
  }

  get passthrough(): boolean {
    return this.filter === undefined;
  }

  push(input: Float32Array): Float32Array {
    if (!this.filter) return input;
    this.append(input);
    return this.drain(this.filter, false);
  }

  /** Emits the samples still held back (the stream is treated as followed by silence). */
  flush(): Float32Array {
    if (!this.filter) return new Float32Array(0);
    return this.drain(this.filter, true);
  }

  private append(input: Float32Array): void {
    this.received += input.length;
    const merged = new Float32Array(this.buffer.length + input.length);
    merged.set(this.buffer);
    merged.set(input, this.buffer.length);
    this.buffer = merged;
  }

  private drain(filter: Filter, final: boolean): Float32Array {
    const { up, down, phases, first, weights, halfWidth, step } = filter;
    const { buffer, bufferStart } = this;
    const end = bufferStart + buffer.length;
    const last = final
      ? Math.ceil((this.received * up) / down)
      : Math.floor(((end - 1 - halfWidth) * up) / down) + 1;
    const count = Math.max(0, last - this.produced);
    const out = new Float32Array(count);
    for (let o = 0; o < count; o++) {
      const k = this.produced + o;
      const position = k * down;
      const remainder = position % up;
      let base = (position - remainder) / up;
      let phase = phases === up ? remainder : Math.round((remainder * phases) / up);
      if (phase === phases) {
        phase = 0;
        base++;
      }
      // phase < phases, the length of weights and first.
      const taps = weights[phase]!;
      const n0 = base + first[phase]! - bufferStart;
      // Before the stream start and after its end (flush) the signal is silence: skip those taps.
      const jFrom = n0 < 0 ? -n0 : 0;
      const jTo = Math.min(taps.length, buffer.length - n0);
      let sum = 0;
      for (let j = jFrom; j < jTo; j++) sum += buffer[n0 + j]! * taps[j]!;
      out[o] = sum;
    }
    this.produced += count;
    // Keep only what the next output sample still needs.
    const keepFrom = Math.max(bufferStart, Math.floor(this.produced * step - halfWidth) - 1);
    if (keepFrom > bufferStart) {
      this.buffer = this.buffer.subarray(Math.min(keepFrom - bufferStart, this.buffer.length));
      this.bufferStart = keepFrom;
    }
    return out;
  }
}

/** How many filters the cache holds now (for tests of its bound). */
export function cachedFilterCount(): number {
  return filters.size;
}

/** A whole signal from one rate to another (the input itself when the rates are equal). */
export function resample(
  samples: Float32Array,
  inputRate: number,
  outputRate: number,
): Float32Array {
  const resampler = new StreamingResampler(inputRate, outputRate);
  if (resampler.passthrough) return samples;
  const head = resampler.push(samples);
  const tail = resampler.flush();
  const out = new Float32Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}
