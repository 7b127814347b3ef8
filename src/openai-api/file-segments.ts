import { PIPELINE_SAMPLE_RATE } from '../audio/pipeline-rate';
import { type Segmenter } from '../gateway/pipeline/segmenter.port';

/** One stretch of speech of an uploaded file, as the VAD cut it. */
export interface FileSegment {
  /** 0-based position in the file. */
  number: number;
  audio: Int16Array;
  /** Seconds from the start of the file. */
  startSec: number;
  endSec: number;
  speechStartSec?: number;
  speechEndSec?: number;
}

/** Audio fed to the VAD at a time (one second): small enough to keep its event lists short. */
const CHUNK_SAMPLES = PIPELINE_SAMPLE_RATE;

/**
 * Cuts a file into utterances with the live-speech segmenter (same VAD, same maximum length),
 * lazily: the next stretch is only analysed once the caller asks for it, so a long file is never
 * segmented far ahead of its transcription. Only finals matter here; interims and speculations
 * are for live speech.
 */
export async function* fileSegments(
  segmenter: Segmenter,
  pcm: Int16Array,
): AsyncGenerator<FileSegment> {
  let number = 0;
  const finals = function* (events: Awaited<ReturnType<Segmenter['push']>>) {
    for (const event of events) {
      if (event.type !== 'final' || event.audio.length === 0) continue;
      yield {
        number: number++,
        audio: event.audio,
        startSec: event.startSec,
        endSec: event.endSec,
        ...(event.speechStartSec !== undefined ? { speechStartSec: event.speechStartSec } : {}),
        ...(event.speechEndSec !== undefined ? { speechEndSec: event.speechEndSec } : {}),
      };
    }
  };
  try {
    for (let at = 0; at < pcm.length; at += CHUNK_SAMPLES) {
      yield* finals(await segmenter.push(pcm.subarray(at, at + CHUNK_SAMPLES)));
    }
    yield* finals(await segmenter.finalize('close'));
  } finally {
    segmenter.dispose();
  }
}

/**
 * Runs `work` on every item of `items` with at most `limit` running at once, and hands the
 * results to `onReady` in item order (as soon as all earlier ones are done). Stops taking new
 * items at the first failure or once `signal` aborts, and rejects with that failure.
 */
export async function runInOrder<S, R>(
  items: AsyncIterable<S>,
  limit: number,
  work: (item: S, position: number) => Promise<R>,
  onReady: (result: R, position: number) => void,
  signal?: AbortSignal,
): Promise<R[]> {
  const results: R[] = [];
  const finished = new Map<number, R>();
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  let position = 0;
  const release = (): void => {
    while (finished.has(results.length)) {
      const next = finished.get(results.length)!;
      finished.delete(results.length);
      onReady(next, results.length);
      results.push(next);
    }
  };
  for await (const item of items) {
    if (failure || signal?.aborted) break;
    const mine = position++;
    const task = work(item, mine).then(
      (result) => {
        finished.set(mine, result);
        if (!failure) release();
      },
      (error: unknown) => {
        failure ??= { error };
      },
    );
    const tracked = task.finally(() => running.delete(tracked));
    running.add(tracked);
    if (running.size >= limit) await Promise.race(running);
  }
  while (running.size > 0 && !failure) await Promise.race(running);
  if (failure) throw failure.error;
  if (signal?.aborted) throw signal.reason ?? new Error('aborted');
  return results;
}
