/**
 * Whisper's log-mel spectrogram (the input of Whisper-encoder models such as Smart Turn): 16 kHz
 * audio, 25 ms Hann frames every 10 ms (n_fft 400, hop 160, centred with reflect padding), power
 * spectrum, Slaney-scale mel filters normalised to equal area (0-8 kHz), log10 with a 1e-10 floor,
 * clipped to 8 below its maximum, then (x + 4) / 4. Pure.
 */
export const N_FFT = 400;
export const HOP = 160;
const SAMPLE_RATE = 16_000;
const BINS = N_FFT / 2 + 1;

/** Mel scale of Slaney (librosa's default): linear below 1 kHz, logarithmic above. */
const F_SP = 200 / 3;
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOG_STEP = Math.log(6.4) / 27;

function hzToMel(hz: number): number {
  return hz < MIN_LOG_HZ ? hz / F_SP : MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP;
}

function melToHz(mel: number): number {
  return mel < MIN_LOG_MEL ? mel * F_SP : MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL));
}

/** Filters as [mel][bin], Slaney-normalised triangles between 0 Hz and 8 kHz. */
export function melFilters(melBins: number): Float64Array[] {
  const top = hzToMel(SAMPLE_RATE / 2);
  const edge = (i: number): number => melToHz((top * i) / (melBins + 1));
  return Array.from({ length: melBins }, (_, m) => {
    const row = new Float64Array(BINS);
    const [low, centre, high] = [edge(m), edge(m + 1), edge(m + 2)];
    const area = 2 / (high - low);
    for (let k = 0; k < BINS; k++) {
      const hz = (k * SAMPLE_RATE) / N_FFT;
      const weight = Math.min((hz - low) / (centre - low), (high - hz) / (high - centre));
      row[k] = weight > 0 ? weight * area : 0;
    }
    return row;
  });
}

/** A complex FFT of one length with small prime factors (400 = 2^4 x 5^2), recursive. */
class SmallFactorFft {
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  /** Per recursion depth: the sums of one output column (sized by that level's factor). */
  private readonly scratch = new Map<number, { re: Float64Array; im: Float64Array }>();

  constructor(private readonly n: number) {
    this.cos = new Float64Array(n);
    this.sin = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      this.cos[j] = Math.cos((2 * Math.PI * j) / n);
      this.sin[j] = -Math.sin((2 * Math.PI * j) / n);
    }
  }

  /** The DFT of re/im (length n) into outRe/outIm. */
  transform(re: Float64Array, im: Float64Array, outRe: Float64Array, outIm: Float64Array): void {
    this.step(re, im, 0, 1, this.n, outRe, outIm, 0);
  }

  private step(
    re: Float64Array,
    im: Float64Array,
    start: number,
    stride: number,
    n: number,
    outRe: Float64Array,
    outIm: Float64Array,
    out: number,
  ): void {
    if (n === 1) {
      // A leaf reads one input sample: start < this.n, the length of re and im.
      outRe[out] = re[start]!;
      outIm[out] = im[start]!;
      return;
    }
    const p = smallestFactor(n);
    const m = n / p;
    // The p interleaved sub-sequences, each transformed into its own run of m outputs.
    for (let r = 0; r < p; r++) {
      this.step(re, im, start + r * stride, stride * p, m, outRe, outIm, out + r * m);
    }
    let sums = this.scratch.get(p);
    if (!sums) this.scratch.set(p, (sums = { re: new Float64Array(p), im: new Float64Array(p) }));
    const twiddleStep = this.n / n;
    for (let k = 0; k < m; k++) {
      for (let q = 0; q < p; q++) {
        let accRe = 0;
        let accIm = 0;
        const bin = k + q * m;
        for (let r = 0, j = 0; r < p; r++, j = (j + bin) % n) {
          // j * twiddleStep < this.n and out + r * m + k < out + n: inside the tables and outputs.
          const c = this.cos[j * twiddleStep]!;
          const s = this.sin[j * twiddleStep]!;
          const yRe = outRe[out + r * m + k]!;
          const yIm = outIm[out + r * m + k]!;
          accRe += yRe * c - yIm * s;
          accIm += yRe * s + yIm * c;
        }
        sums.re[q] = accRe;
        sums.im[q] = accIm;
      }
      for (let q = 0; q < p; q++) {
        outRe[out + k + q * m] = sums.re[q]!;
        outIm[out + k + q * m] = sums.im[q]!;
      }
    }
  }
}

function smallestFactor(n: number): number {
  for (let p = 2; p * p <= n; p++) if (n % p === 0) return p;
  return n;
}

const fft = new SmallFactorFft(N_FFT);
/** The periodic Hann window (as torch.hann_window and Whisper use). */
const HANN = Float64Array.from(
  { length: N_FFT },
  (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / N_FFT),
);

/** A filter's non-zero bins. */
interface SparseFilter {
  first: number;
  weights: Float64Array;
}
const FILTERS = new Map<number, SparseFilter[]>();

function sparseFilters(melBins: number): SparseFilter[] {
  let filters = FILTERS.get(melBins);
  if (filters) return filters;
  filters = melFilters(melBins).map((row) => {
    let first = row.findIndex((w) => w > 0);
    if (first < 0) first = 0;
    let last = row.length - 1;
    while (last > first && row[last] === 0) last--;
    return { first, weights: row.slice(first, last + 1) };
  });
  FILTERS.set(melBins, filters);
  return filters;
}

/**
 * The log-mel spectrogram of `samples` (16 kHz floats) as `frames` columns of `melBins` rows,
 * row-major [mel][frame] (Whisper's [80, frames] layout). Frame t is centred on sample t x 160,
 * the audio reflected at both ends; audio past the last frame is ignored. `leadingConstant`
 * samples at the start hold one value (padding): the frames inside them are computed once.
 */
export function whisperLogMel(
  samples: Float32Array,
  frames: number,
  melBins = 80,
  leadingConstant = 0,
): Float32Array {
  const filters = sparseFilters(melBins);
  const half = N_FFT / 2;
  const n = samples.length;
  const at = (i: number): number => {
    let j = i < 0 ? -i : i;
    if (j >= n) j = 2 * (n - 1) - j;
    return j >= 0 && j < n ? samples[j]! : 0;
  };
  const logMel = new Float64Array(melBins * frames);
  const re = new Float64Array(N_FFT);
  const im = new Float64Array(N_FFT);
  const zRe = new Float64Array(N_FFT);
  const zIm = new Float64Array(N_FFT);
  const powerA = new Float64Array(BINS);
  const powerB = new Float64Array(BINS);
  const melOf = (power: Float64Array, t: number): void => {
    for (const [m, { first, weights }] of filters.entries()) {
      let energy = 0;
      // A filter's bins lie inside the spectrum: first + weights.length <= BINS.
      for (let k = 0; k < weights.length; k++) energy += weights[k]! * power[first + k]!;
      logMel[m * frames + t] = Math.log10(Math.max(energy, 1e-10));
    }
  };
  // Frames whose window (reflection included) lies inside the constant lead are all alike.
  const sameUpTo = Math.min(frames, Math.max(0, Math.floor((leadingConstant - N_FFT) / HOP)));
  let t = 0;
  if (sameUpTo > 0) t = sameUpTo - 1;
  while (t < frames) {
    // Two real frames in one complex FFT: a in the real part, b in the imaginary part.
    const b = t + 1 < frames ? t + 1 : -1;
    for (let i = 0; i < N_FFT; i++) {
      const w = HANN[i]!;
      re[i] = at(t * HOP - half + i) * w;
      im[i] = b >= 0 ? at(b * HOP - half + i) * w : 0;
    }
    fft.transform(re, im, zRe, zIm);
    for (let k = 0; k < BINS; k++) {
      const mirror = (N_FFT - k) % N_FFT;
      // k and mirror are both below N_FFT, the spectra's length.
      const reK = zRe[k]!;
      const imK = zIm[k]!;
      const reMirror = zRe[mirror]!;
      const imMirror = zIm[mirror]!;
      const aRe = (reK + reMirror) / 2;
      const aIm = (imK - imMirror) / 2;
      const bRe = (imK + imMirror) / 2;
      const bIm = (reMirror - reK) / 2;
      powerA[k] = aRe * aRe + aIm * aIm;
      powerB[k] = bRe * bRe + bIm * bIm;
    }
    melOf(powerA, t);
    if (b >= 0) melOf(powerB, b);
    t += 2;
  }
  for (let u = 0; u < sameUpTo - 1; u++) {
    for (let m = 0; m < melBins; m++) logMel[m * frames + u] = logMel[m * frames + sameUpTo - 1]!;
  }
  let max = -Infinity;
  for (const value of logMel) if (value > max) max = value;
  return Float32Array.from(logMel, (value) => (Math.max(value, max - 8) + 4) / 4);
}
