/**
 * Writes a whisper "tiny" model with random weights: real tiny dimensions (4+4 layers, 384 wide,
 * 80 mels, 51865-token vocabulary), so whisper.cpp loads it and every inference costs what the real
 * tiny model costs, but the words it writes are meaningless. Tests of the real engine under load
 * and the benchmarks use it; real weights cannot be shipped or downloaded everywhere.
 *
 * The file is a pure function of the seed: a 32-bit PRNG (mulberry32) drives every weight through a
 * table built with exactly rounded arithmetic only, so the bytes (and the checksum below) are the
 * same on every machine. The mel filter bank is whisper's own, read from the committed MIT test
 * model (test/fixtures/for-tests-ggml-tiny.bin), which carries the real one.
 *
 *   npm run fixtures:model            writes it (once) into .cache/models/ and prints its path
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
export const RANDOM_MODEL_SEED = 20261130;
export const RANDOM_MODEL_PATH = join(
  ROOT,
  '.cache/models',
  `random-weights-tiny-${RANDOM_MODEL_SEED}.bin`,
);
/** sha256 of the file the seed above gives; a change of the writer must change the seed or this. */
export const RANDOM_MODEL_SHA256 =
  'fc170bf4c93ab55a4c39fd83b7826fe181106b6e5f5728f63b6c7f9bd3d76a37';
const MEL_SOURCE = join(ROOT, 'test/fixtures/for-tests-ggml-tiny.bin');

/** whisper tiny's hyper-parameters, in the order of the ggml header. */
export const TINY = {
  nVocab: 51865,
  nAudioCtx: 1500,
  nAudioState: 384,
  nAudioHead: 6,
  nAudioLayer: 4,
  nTextCtx: 448,
  nTextState: 384,
  nTextHead: 6,
  nTextLayer: 4,
  nMels: 80,
  ftype: 1, // f16 matrices, f32 vectors
} as const;
/** Tokens written into the file's vocabulary; whisper.cpp adds the special tokens after them. */
const BASE_VOCAB = 50257;
const GGML_MAGIC = 0x67676d6c;
const GGML_F32 = 0;
const GGML_F16 = 1;

export interface TensorSpec {
  name: string;
  /** ggml order: fastest-varying dimension first. */
  dims: number[];
  type: typeof GGML_F32 | typeof GGML_F16;
  fill: 'random' | 'ones' | 'zeros';
}

/** Every tensor of a whisper model of the given size, as whisper.cpp's loader expects them. */
export function whisperTensors(h: typeof TINY = TINY): TensorSpec[] {
  const out: TensorSpec[] = [];
  const add = (name: string, dims: number[], type: TensorSpec['type'], fill: TensorSpec['fill']) =>
    out.push({ name, dims, type, fill });
  const norm = (prefix: string, width: number) => {
    add(`${prefix}.weight`, [width], GGML_F32, 'ones');
    add(`${prefix}.bias`, [width], GGML_F32, 'zeros');
  };
  const linear = (prefix: string, inputs: number, outputs: number, bias: boolean) => {
    add(`${prefix}.weight`, [inputs, outputs], GGML_F16, 'random');
    if (bias) add(`${prefix}.bias`, [outputs], GGML_F32, 'zeros');
  };
  const block = (prefix: string, width: number, cross: boolean) => {
    norm(`${prefix}.mlp_ln`, width);
    linear(`${prefix}.mlp.0`, width, 4 * width, true);
    linear(`${prefix}.mlp.2`, 4 * width, width, true);
    norm(`${prefix}.attn_ln`, width);
    linear(`${prefix}.attn.query`, width, width, true);
    linear(`${prefix}.attn.key`, width, width, false);
    linear(`${prefix}.attn.value`, width, width, true);
    linear(`${prefix}.attn.out`, width, width, true);
    if (!cross) return;
    norm(`${prefix}.cross_attn_ln`, width);
    linear(`${prefix}.cross_attn.query`, width, width, true);
    linear(`${prefix}.cross_attn.key`, width, width, false);
    linear(`${prefix}.cross_attn.value`, width, width, true);
    linear(`${prefix}.cross_attn.out`, width, width, true);
  };

  const audio = h.nAudioState;
  add('encoder.positional_embedding', [audio, h.nAudioCtx], GGML_F32, 'random');
  add('encoder.conv1.weight', [3, h.nMels, audio], GGML_F16, 'random');
  add('encoder.conv1.bias', [1, audio], GGML_F32, 'zeros');
  add('encoder.conv2.weight', [3, audio, audio], GGML_F16, 'random');
  add('encoder.conv2.bias', [1, audio], GGML_F32, 'zeros');
  for (let i = 0; i < h.nAudioLayer; i++) block(`encoder.blocks.${i}`, audio, false);
  norm('encoder.ln_post', audio);

  const text = h.nTextState;
  add('decoder.positional_embedding', [text, h.nTextCtx], GGML_F32, 'random');
  add('decoder.token_embedding.weight', [text, h.nVocab], GGML_F16, 'random');
  for (let i = 0; i < h.nTextLayer; i++) block(`decoder.blocks.${i}`, text, true);
  norm('decoder.ln', text);
  return out;
}

/** Deterministic 32-bit generator (mulberry32): integer arithmetic only. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** IEEE half from a double, round to nearest even (enough for the small values used here). */
function toHalf(value: number): number {
  const f32 = new Float32Array([value]);
  const bits = new Uint32Array(f32.buffer)[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  let mantissa = bits & 0x7fffff;
  if (exponent <= 0) {
    if (exponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - exponent;
    const half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    return sign | (rest > midpoint || (rest === midpoint && half & 1) ? half + 1 : half);
  }
  if (exponent >= 31) return sign | 0x7c00;
  let half = (exponent << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half += 1;
  return sign | half;
}

/**
 * Weights are N(0, 0.02)-like: the sum of four random bytes (Irwin-Hall), centred and scaled. One
 * table of the 1021 possible sums keeps the hot loop to a lookup per weight.
 */
const STD = 0.02;
const SUM_STD = Math.sqrt((4 * (256 * 256 - 1)) / 12);
const SUM_TABLE_F32 = Float32Array.from(
  { length: 1021 },
  (_, sum) => ((sum - 510) / SUM_STD) * STD,
);
const SUM_TABLE_F16 = Uint16Array.from(SUM_TABLE_F32, (value) => toHalf(value));

function randomSum(next: () => number): number {
  const r = next();
  return (r & 0xff) + ((r >>> 8) & 0xff) + ((r >>> 16) & 0xff) + (r >>> 24);
}

function tensorData(spec: TensorSpec, next: () => number): Buffer {
  const count = spec.dims.reduce((a, b) => a * b, 1);
  if (spec.type === GGML_F16) {
    const values = new Uint16Array(count);
    for (let i = 0; i < count; i++) values[i] = SUM_TABLE_F16[randomSum(next)];
    return Buffer.from(values.buffer);
  }
  const values = new Float32Array(count);
  if (spec.fill === 'ones') values.fill(1);
  else if (spec.fill === 'random')
    for (let i = 0; i < count; i++) values[i] = SUM_TABLE_F32[randomSum(next)];
  return Buffer.from(values.buffer);
}

/** The mel filter bank (n_mel, n_fft, floats) exactly as the committed MIT test model stores it. */
export function readMelFilters(modelPath = MEL_SOURCE): Buffer {
  const file = readFileSync(modelPath);
  if (file.readUInt32LE(0) !== GGML_MAGIC)
    throw new Error(`${modelPath} is not a ggml whisper model`);
  const offset = 4 + 11 * 4;
  const nMel = file.readInt32LE(offset);
  const nFft = file.readInt32LE(offset + 4);
  return file.subarray(offset, offset + 8 + nMel * nFft * 4);
}

function header(): Buffer {
  const values = [
    GGML_MAGIC,
    TINY.nVocab,
    TINY.nAudioCtx,
    TINY.nAudioState,
    TINY.nAudioHead,
    TINY.nAudioLayer,
    TINY.nTextCtx,
    TINY.nTextState,
    TINY.nTextHead,
    TINY.nTextLayer,
    TINY.nMels,
    TINY.ftype,
  ];
  const buffer = Buffer.alloc(values.length * 4);
  values.forEach((value, i) => buffer.writeUInt32LE(value >>> 0, i * 4));
  return buffer;
}

function vocabulary(): Buffer {
  const parts: Buffer[] = [Buffer.alloc(4)];
  parts[0].writeInt32LE(BASE_VOCAB);
  for (let i = 0; i < BASE_VOCAB; i++) {
    const text = Buffer.from(`t${i}`);
    const length = Buffer.alloc(4);
    length.writeUInt32LE(text.length);
    parts.push(length, text);
  }
  return Buffer.concat(parts);
}

function tensorHeader(spec: TensorSpec): Buffer {
  const name = Buffer.from(spec.name);
  const buffer = Buffer.alloc(12 + spec.dims.length * 4);
  buffer.writeInt32LE(spec.dims.length, 0);
  buffer.writeInt32LE(name.length, 4);
  buffer.writeInt32LE(spec.type, 8);
  spec.dims.forEach((dim, i) => buffer.writeInt32LE(dim, 12 + i * 4));
  return Buffer.concat([buffer, name]);
}

/** Writes the model to `path` (through a temporary file) and returns its sha256. */
export function writeRandomWeightsModel(path: string, seed = RANDOM_MODEL_SEED): string {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.partial`;
  const hash = createHash('sha256');
  const fd = openSync(temporary, 'w');
  const write = (chunk: Buffer) => {
    hash.update(chunk);
    writeSync(fd, chunk);
  };
  try {
    const next = mulberry32(seed);
    write(header());
    write(readMelFilters());
    write(vocabulary());
    for (const spec of whisperTensors()) {
      write(tensorHeader(spec));
      write(tensorData(spec, next));
    }
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  return hash.digest('hex');
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * The cached model's path; writes it first when it is missing or its checksum is wrong.
 * `log` reports what happens (writing takes a few seconds).
 */
export function ensureRandomWeightsModel(log: (line: string) => void = () => undefined): string {
  if (existsSync(RANDOM_MODEL_PATH) && sha256File(RANDOM_MODEL_PATH) === RANDOM_MODEL_SHA256) {
    return RANDOM_MODEL_PATH;
  }
  log(
    `Writing the random-weights tiny whisper model (77 MB, seed ${RANDOM_MODEL_SEED}) to ${RANDOM_MODEL_PATH}`,
  );
  const digest = writeRandomWeightsModel(RANDOM_MODEL_PATH);
  if (digest !== RANDOM_MODEL_SHA256) {
    throw new Error(
      `The random-weights model came out with sha256 ${digest}, expected ${RANDOM_MODEL_SHA256}: ` +
        'the writer changed without its checksum (scripts/random-weights-model.ts)',
    );
  }
  return RANDOM_MODEL_PATH;
}

if (require.main === module) {
  const started = Date.now();
  const path = ensureRandomWeightsModel((line) => console.error(line));
  console.error(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(path);
}
