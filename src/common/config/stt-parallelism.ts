import { availableParallelism } from 'node:os';

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
export function sttParallelism(
  set: { poolSize: number | undefined; threads: number | undefined },
  cores = availableParallelism(),
): SttParallelism {
  const usable = Math.max(1, Math.floor(cores));
  const poolSize =
    set.poolSize ??
    (set.threads
      ? Math.min(64, Math.max(1, Math.floor(usable / set.threads)))
      : Math.min(MAX_DEFAULT_CONTEXTS, usable));
  const threads = set.threads ?? Math.min(256, Math.max(1, Math.floor(usable / poolSize)));
  return { poolSize, threads };
}
