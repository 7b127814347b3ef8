import { availableParallelism } from 'node:os';
import { Env, readNumber } from './env-parsers';

export interface SttParallelism {
  /** Whisper contexts (decoding states on one shared copy of the weights). */
  poolSize: number;
  /** Threads per context. */
  threads: number;
}

/** Threads one context gets by default: whisper.cpp scales well to 2, less beyond on a shared CPU. */
const THREADS_PER_CONTEXT = 2;

/**
 * STT_POOL_SIZE and WHISPER_THREADS, defaulting to the cores this process may use
 * (os.availableParallelism(), which honours CPU affinity): one context per two cores, the cores
 * split between them; when one of the two is set, the other divides the cores by it.
 */
export function readSttParallelism(env: Env, cores = availableParallelism()): SttParallelism {
  const usable = Math.max(1, Math.floor(cores));
  const threadsSet = readNumber(env, 'WHISPER_THREADS', 0, { min: 1, max: 256, integer: true });
  const poolSet = readNumber(env, 'STT_POOL_SIZE', 0, { min: 1, max: 64, integer: true });
  const poolSize =
    poolSet ||
    Math.min(
      64,
      Math.max(1, Math.floor(usable / (threadsSet || Math.min(THREADS_PER_CONTEXT, usable)))),
    );
  const threads = threadsSet || Math.min(256, Math.max(1, Math.floor(usable / poolSize)));
  return { poolSize, threads };
}
