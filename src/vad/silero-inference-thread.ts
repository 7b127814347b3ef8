import { Worker } from 'node:worker_threads';
import { PIPELINE_SAMPLE_RATE } from '../audio/pipeline-rate';

/**
 * onnxruntime-node runs a session synchronously on the calling thread (its `run` only defers the
 * call with setImmediate), so Silero batches on the main thread stall every socket of the gateway
 * for the length of a batch. The session lives on a worker thread instead; batches go there and
 * back by message, and the event loop only copies samples.
 *
 * The worker's code is plain JavaScript given as text, so it runs the same from dist/, ts-node
 * and Jest (none of which has to compile a separate worker file).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
(async () => {
  let session;
  try {
    session = await ort.InferenceSession.create(workerData.modelPath, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    const missing = ['input', 'state', 'sr'].find((name) => !session.inputNames.includes(name));
    if (missing) {
      await session.release();
      throw new Error(workerData.modelPath + ' is not a Silero VAD v5 model (no input "' + missing + '")');
    }
  } catch (error) {
    parentPort.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    return;
  }
  const sr = new ort.Tensor('int64', BigInt64Array.from([BigInt(workerData.sampleRate)]), []);
  parentPort.postMessage({ type: 'ready' });
  parentPort.on('message', async (m) => {
    if (m.type === 'close') {
      await session.release();
      parentPort.close();
      return;
    }
    try {
      const out = await session.run({
        input: new ort.Tensor('float32', m.input, [m.n, m.input.length / m.n]),
        state: new ort.Tensor('float32', m.state, [2, m.n, 128]),
        sr,
      });
      parentPort.postMessage({ type: 'result', id: m.id, output: out.output.data, stateN: out.stateN.data });
    } catch (error) {
      parentPort.postMessage({ type: 'error', id: m.id, message: error instanceof Error ? error.message : String(error) });
    }
  });
})();
`;

export interface SileroBatchResult {
  /** Speech probability per stream of the batch. */
  output: Float32Array;
  /** The new recurrent state, [2, batch, 128]. */
  stateN: Float32Array;
}

type WorkerMessage =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; output: Float32Array; stateN: Float32Array }
  | { type: 'error'; id: number; message: string };

interface Waiting {
  resolve(result: SileroBatchResult): void;
  reject(error: Error): void;
}

/** One Silero onnxruntime session on a worker thread. */
export class SileroInferenceThread {
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 0;
  private ended?: Error;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (message: WorkerMessage) => this.settle(message));
    worker.on('error', (error) => this.end(error));
    worker.on('exit', (code) => this.end(new Error(`Silero inference thread exited (${code})`)));
    // Only a batch in flight keeps the process alive.
    worker.unref();
  }

  static start(modelPath: string): Promise<SileroInferenceThread> {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        modelPath,
        ortPath: require.resolve('onnxruntime-node'),
        sampleRate: PIPELINE_SAMPLE_RATE,
      },
    });
    return new Promise((resolve, reject) => {
      const onMessage = (message: WorkerMessage): void => {
        worker.off('error', onError);
        if (message.type === 'ready') {
          resolve(new SileroInferenceThread(worker));
        } else {
          void worker.terminate();
          reject(new Error(message.type === 'failed' ? message.message : 'unexpected message'));
        }
      };
      const onError = (error: Error): void => {
        worker.off('message', onMessage);
        reject(error);
      };
      worker.once('message', onMessage);
      worker.once('error', onError);
    });
  }

  /** Runs one batch of `n` streams: `input` is [n, 576] samples, `state` is [2, n, 128]. */
  run(n: number, input: Float32Array, state: Float32Array): Promise<SileroBatchResult> {
    if (this.ended) return Promise.reject(this.ended);
    const id = this.nextId++;
    return new Promise<SileroBatchResult>((resolve, reject) => {
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(id, { resolve, reject });
      // The caller builds both for this batch alone: hand them over instead of copying.
      this.worker.postMessage({ type: 'run', id, n, input, state }, [
        input.buffer as ArrayBuffer,
        state.buffer as ArrayBuffer,
      ]);
    });
  }

  async close(): Promise<void> {
    if (this.ended) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage({ type: 'close' });
    await exited;
  }

  private settle(message: WorkerMessage): void {
    if (message.type !== 'result' && message.type !== 'error') return;
    const waiting = this.waiting.get(message.id);
    if (!waiting) return;
    this.waiting.delete(message.id);
    if (this.waiting.size === 0) this.worker.unref();
    if (message.type === 'result') waiting.resolve(message);
    else waiting.reject(new Error(`Silero VAD inference failed: ${message.message}`));
  }

  private end(error: Error): void {
    this.ended ??= error;
    for (const waiting of this.waiting.values()) waiting.reject(this.ended);
    this.waiting.clear();
  }
}
