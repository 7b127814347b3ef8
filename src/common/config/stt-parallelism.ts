import { availableParallelism } from 'node:os';
import { Env, readNumber } from './env-parsers';

export interface SttParallelism {
  /** Whisper contexts (decoding states on one shared copy of the weights). */
  poolSize: number;
  /** Threads per context. */
  threads: number;
}

/** Contexts beyond this share the cores as more threads each (each context costs memory). */
const MAX_DEFAULT_CONTEXTS = 8;

/**
 * STT_POOL_SIZE and WHISPER_THREADS, defaulting to the cores this process may use
 * (os.availableParallelism(), which honours CPU affinity): one single-threaded context per core
 * (up to 8, then more threads each), which measured more speakers per box than fewer contexts with
 * more threads (a final never waits behind an interim in progress, and whisper.cpp scales less
 * than linearly with threads; bench/capacity.bench.ts). When one of the two is set, the other
 * divides the cores by it.
 */
export function readSttParallelism(env: Env, cores = availableParallelism()): SttParallelism {
  const usable = Math.max(1, Math.floor(cores));
  const threadsSet = readNumber(env, 'WHISPER_THREADS', 0, { min: 1, max: 256, integer: true });
  const poolSet = readNumber(env, 'STT_POOL_SIZE', 0, { min: 1, max: 64, integer: true });
  const poolSize =
    poolSet ||
    (threadsSet
      ? Math.min(64, Math.max(1, Math.floor(usable / threadsSet)))
      : Math.min(MAX_DEFAULT_CONTEXTS, usable));
  const threads = threadsSet || Math.min(256, Math.max(1, Math.floor(usable / poolSize)));
  return { poolSize, threads };
}
