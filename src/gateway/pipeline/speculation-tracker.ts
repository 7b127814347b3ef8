/** What to do when an utterance's final comes from the segmenter. */
export type FinalPlan =
  /** Its speculation had exactly this audio: confirm it, enqueue nothing. */
  | { kind: 'confirm'; revision: number }
  /** Enqueue the final as usual, after cancelling the speculation that did not match, if any. */
  | { kind: 'enqueue'; cancel?: number };

export interface SpeculationLimits {
  /** Speculation configured at all (SPECULATIVE_SILENCE_SECONDS > 0). */
  enabled: boolean;
  /** No speculation while the stt queue is deeper than this. */
  maxQueueDepth: number;
}

/**
 * The speculative finals of one session: which utterance (by segmenter number) has one out, with
 * which revision. Pure bookkeeping, called in event order by the pipeline, so it is testable alone.
 */
export class SpeculationTracker {
  private readonly pending = new Map<number, number>();

  constructor(private readonly limits: SpeculationLimits) {}

  /** Whether a speculation offered now should be enqueued. */
  shouldStart(utterance: number, queueDepth: number): boolean {
    return (
      this.limits.enabled && !this.pending.has(utterance) && queueDepth <= this.limits.maxQueueDepth
    );
  }

  started(utterance: number, revision: number): void {
    this.pending.set(utterance, revision);
  }

  /** Speech came back: the revision to cancel, if one was out. */
  cancelled(utterance: number): number | undefined {
    const revision = this.pending.get(utterance);
    this.pending.delete(utterance);
    return revision;
  }

  final(utterance: number, speculated: boolean): FinalPlan {
    const revision = this.pending.get(utterance);
    this.pending.delete(utterance);
    if (revision === undefined) return { kind: 'enqueue' };
    return speculated ? { kind: 'confirm', revision } : { kind: 'enqueue', cancel: revision };
  }

  /** Speculations still out as [utterance, revision] (the session is closing: cancel them). */
  drain(): [number, number][] {
    const out = [...this.pending.entries()];
    this.pending.clear();
    return out;
  }
}
