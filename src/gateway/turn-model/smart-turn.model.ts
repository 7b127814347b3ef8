import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import {
  SMART_TURN_FRAMES,
  SMART_TURN_MEL_BINS,
  smartTurnInput,
} from '../../turns/smart-turn-input';

/**
 * An audio end-of-turn model in Smart Turn v3's shape (pipecat-ai/smart-turn, BSD-2): input
 * `input_features` float32 [batch, 80, 800] (Whisper log-mel of the turn's last 8 s), output
 * float32 [batch, 1], the probability that the turn is complete.
 *
 * onnxruntime-node runs a session on the calling thread, and a Whisper-tiny encoder takes tens of
 * milliseconds here: the session lives on a worker thread (as Silero's does, see
 * src/vad/silero-inference-thread.ts); the features are computed on the caller's thread.
 */
const INPUT_NAME = 'input_features';

/** Checks the session's inputs and outputs, inside the worker (as source: functions cannot be sent). */
const CHECK_SHAPES = `(session) => {
  if (!session.inputNames.includes('${INPUT_NAME}')) {
    return 'has no input "${INPUT_NAME}" (inputs: ' + session.inputNames.join(', ') + ')';
  }
  if (session.outputNames.length !== 1) {
    return 'must have one output (the probability), has ' + session.outputNames.length;
  }
  const meta = session.inputMetadata && session.inputMetadata.find
    ? session.inputMetadata.find((m) => m.name === '${INPUT_NAME}')
    : undefined;
  if (meta && meta.isTensor && Array.isArray(meta.shape)) {
    const [, mels, frames] = meta.shape;
    if (meta.shape.length !== 3 || mels !== ${SMART_TURN_MEL_BINS} || frames !== ${SMART_TURN_FRAMES}) {
      return 'input "${INPUT_NAME}" must be [batch, ${SMART_TURN_MEL_BINS}, ${SMART_TURN_FRAMES}], is [' + meta.shape.join(', ') + ']';
    }
  }
  return undefined;
}`;

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
    const problem = (${CHECK_SHAPES})(session);
    if (problem) {
      await session.release();
      throw new Error(problem);
    }
  } catch (error) {
    parentPort.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    return;
  }
  parentPort.postMessage({ type: 'ready' });
  parentPort.on('message', async (m) => {
    if (m.type === 'close') {
      await session.release();
      parentPort.close();
      return;
    }
    try {
      const out = await session.run({
        [workerData.input]: new ort.Tensor('float32', m.features, [1, workerData.melBins, workerData.frames]),
      });
      const data = out[session.outputNames[0]].data;
      parentPort.postMessage({ type: 'result', id: m.id, probability: Number(data[0]) });
    } catch (error) {
      parentPort.postMessage({ type: 'error', id: m.id, message: error instanceof Error ? error.message : String(error) });
    }
  });
})();
`;

type WorkerMessage =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; probability: number }
  | { type: 'error'; id: number; message: string };

export class SmartTurnModelError extends Error {}

/** One Smart Turn session on a worker thread; `probability()` per turn. */
export class SmartTurnModel {
  private readonly waiting = new Map<
    number,
    { resolve(p: number): void; reject(e: Error): void }
  >();
  private nextId = 0;
  private ended?: Error;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (message: WorkerMessage) => this.settle(message));
    worker.on('error', (error) => this.end(error));
    worker.on('exit', (code) => this.end(new Error(`turn model thread exited (${code})`)));
    worker.unref();
  }

  /** Loads the model; a missing file or a model of another shape is a clear error. */
  static load(modelPath: string): Promise<SmartTurnModel> {
    if (!existsSync(modelPath)) {
      return Promise.reject(
        new SmartTurnModelError(
          `TURN_AUDIO_MODEL ${modelPath} does not exist: fetch it with \`npm run models -- --trust-host smart-turn\` or set TURN_AUDIO_MODEL= to turn the audio signal off`,
        ),
      );
    }
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        modelPath,
        ortPath: require.resolve('onnxruntime-node'),
        input: INPUT_NAME,
        melBins: SMART_TURN_MEL_BINS,
        frames: SMART_TURN_FRAMES,
      },
    });
    return new Promise((resolve, reject) => {
      const onMessage = (message: WorkerMessage): void => {
        worker.off('error', onError);
        if (message.type === 'ready') {
          resolve(new SmartTurnModel(worker));
        } else {
          void worker.terminate();
          const why = message.type === 'failed' ? message.message : 'unexpected message';
          reject(new SmartTurnModelError(`TURN_AUDIO_MODEL ${modelPath} cannot be used: ${why}`));
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

  /** The probability (0-1) that the turn whose audio (16 kHz PCM16) this is has ended. */
  probability(pcm: Int16Array): Promise<number> {
    if (this.ended) return Promise.reject(this.ended);
    const features = smartTurnInput(pcm);
    const id = this.nextId++;
    return new Promise<number>((resolve, reject) => {
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ type: 'run', id, features }, [features.buffer as ArrayBuffer]);
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
    if (message.type === 'result') waiting.resolve(message.probability);
    else waiting.reject(new SmartTurnModelError(`turn model: ${message.message}`));
  }

  private end(error: Error): void {
    if (this.ended) return;
    this.ended = error;
    for (const waiting of this.waiting.values()) waiting.reject(error);
    this.waiting.clear();
  }
}
