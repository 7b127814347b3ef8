import { fileSegments, runInOrder } from './file-segments';
import { type Segmenter, type SegmenterEvent } from '../gateway/pipeline/segmenter.port';

async function* numbers(count: number): AsyncGenerator<number> {
  for (let i = 0; i < count; i++) yield await Promise.resolve(i);
}

describe('runInOrder', () => {
  it('keeps at most `limit` running and reports results in item order', async () => {
    let running = 0;
    let most = 0;
    const ready: number[] = [];
    const results = await runInOrder(
      numbers(8),
      3,
      async (item) => {
        running++;
        most = Math.max(most, running);
        // Later items finish first.
        await new Promise((resolve) => setTimeout(resolve, (8 - item) * 3));
        running--;
        return item * 10;
      },
      (result) => ready.push(result),
    );
    expect(most).toBe(3);
    expect(results).toEqual([0, 10, 20, 30, 40, 50, 60, 70]);
    expect(ready).toEqual(results);
  });

  it('stops taking items at the first failure and rejects with it', async () => {
    const started: number[] = [];
    await expect(
      runInOrder(
        numbers(10),
        2,
        async (item) => {
          started.push(item);
          if (item === 1) throw new Error('boom');
          await new Promise((resolve) => setTimeout(resolve, 5));
          return item;
        },
        () => undefined,
      ),
    ).rejects.toThrow('boom');
    expect(started.length).toBeLessThan(10);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    const promise = runInOrder(
      numbers(100),
      1,
      (item) => {
        if (item === 2) controller.abort(new Error('client went away'));
        return Promise.resolve(item);
      },
      () => undefined,
      controller.signal,
    );
    await expect(promise).rejects.toThrow('client went away');
  });
});

describe('fileSegments', () => {
  it('passes only finals on, numbered, and disposes the segmenter', async () => {
    const pushes: number[] = [];
    let disposed = false;
    const final = (at: number): SegmenterEvent => ({
      type: 'final',
      utterance: at,
      audio: new Int16Array(160),
      startSec: at,
      endSec: at + 1,
      speechStartSec: at,
      speechEndSec: at + 1,
      reason: 'silence',
      speculated: false,
    });
    const segmenter: Segmenter = {
      push: (pcm) => {
        pushes.push(pcm.length);
        return Promise.resolve(
          pushes.length === 2 ? [{ type: 'speech-start', utterance: 1, atSec: 1 }, final(1)] : [],
        );
      },
      finalize: () => Promise.resolve([final(2)]),
      discard: () => Promise.resolve(undefined),
      setSilenceThreshold: () => undefined,
      endIfSilent: () => Promise.resolve([]),
      dispose: () => (disposed = true),
    };
    const out = [];
    for await (const segment of fileSegments(segmenter, new Int16Array(40000))) out.push(segment);
    expect(pushes).toEqual([16000, 16000, 8000]);
    expect(out.map((s) => [s.number, s.startSec])).toEqual([
      [0, 1],
      [1, 2],
    ]);
    expect(disposed).toBe(true);
  });
});
