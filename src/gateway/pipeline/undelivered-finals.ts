/** How an utterance ended, in epoch ms. */
export interface FinalEnd {
  /** Its final was enqueued. */
  at: number;
  /** Its last speech audio arrived. */
  speechEndedAt: number;
}

/** Ends kept, at most (the oldest are forgotten first). */
const MAX_TRACKED_ENDS = 256;

/**
 * When each utterance whose final is not delivered yet ended, for the delivery-latency metrics.
 * Utterances without speech or with an error are never delivered as finals: the bound keeps
 * their ends from piling up over a long session.
 */
export class UndeliveredFinals {
  private readonly ends = new Map<number, FinalEnd>();

  record(index: number, end: FinalEnd): void {
    this.ends.set(index, end);
    if (this.ends.size > MAX_TRACKED_ENDS) this.ends.delete(this.ends.keys().next().value!);
  }

  /** The end of utterance `index`, once (its final is being delivered). */
  take(index: number): FinalEnd | undefined {
    const end = this.ends.get(index);
    this.ends.delete(index);
    return end;
  }
}
