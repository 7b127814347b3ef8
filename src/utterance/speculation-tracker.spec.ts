import { SpeculationTracker } from './speculation-tracker';

describe('SpeculationTracker', () => {
  const tracker = (maxQueueDepth = 8, enabled = true) =>
    new SpeculationTracker({ enabled, maxQueueDepth });

  it('confirms the speculation when the final has its audio', () => {
    const t = tracker();
    expect(t.shouldStart(0, 0)).toBe(true);
    t.started(0, 3);
    expect(t.shouldStart(0, 0)).toBe(false); // one at a time per utterance
    expect(t.final(0, true)).toEqual({ kind: 'confirm', revision: 3 });
    expect(t.drain()).toEqual([]);
  });

  it('cancels when speech comes back, then tracks the next speculation of the same utterance', () => {
    const t = tracker();
    t.started(0, 2);
    expect(t.cancelled(0)).toBe(2);
    expect(t.cancelled(0)).toBeUndefined();
    expect(t.shouldStart(0, 0)).toBe(true);
    t.started(0, 4);
    expect(t.final(0, true)).toEqual({ kind: 'confirm', revision: 4 });
  });

  it('enqueues a normal final (cancelling the speculation) when the final has other audio', () => {
    const t = tracker();
    t.started(1, 5);
    expect(t.final(1, false)).toEqual({ kind: 'enqueue', cancel: 5 });
    // Speculation offered but not started (queue too deep): the final is enqueued as usual.
    expect(t.final(2, true)).toEqual({ kind: 'enqueue' });
  });

  it('does not speculate when the stt queue is deeper than the limit, or when it is off', () => {
    expect(tracker(4).shouldStart(0, 5)).toBe(false);
    expect(tracker(4).shouldStart(0, 4)).toBe(true);
    expect(tracker(4, false).shouldStart(0, 0)).toBe(false);
  });

  it('hands back the speculations still out when the session closes', () => {
    const t = tracker();
    t.started(0, 1);
    t.started(1, 1);
    expect(t.drain()).toEqual([
      [0, 1],
      [1, 1],
    ]);
    expect(t.final(0, true)).toEqual({ kind: 'enqueue' });
  });
});
