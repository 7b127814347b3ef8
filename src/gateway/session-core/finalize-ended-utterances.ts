import { type ServerFrame } from '../../contracts/stream-frames';
import { utteranceIndex } from '../../contracts/utterance-ids';

/** Indices remembered, at most (the oldest are forgotten first). */
const MAX_REMEMBERED = 64;

/**
 * The utterances a client's finalize() request ended, so the frames about them (final,
 * translation, error) can be marked as coming from that finalize.
 */
export class FinalizeEndedUtterances {
  private readonly indices = new Set<number>();
  private ended = 0;

  /** How many a finalize ended so far (tells a finalize whether it ended one). */
  get count(): number {
    return this.ended;
  }

  add(index: number): void {
    this.ended++;
    this.indices.add(index);
    while (this.indices.size > MAX_REMEMBERED) {
      this.indices.delete(this.indices.values().next().value!);
    }
  }

  /** Forgets the indices (another session numbers its utterances afresh); the count goes on. */
  forgetIndices(): void {
    this.indices.clear();
  }

  /** Whether `frame` is about an utterance a finalize ended. */
  includes(frame: ServerFrame): boolean {
    if (this.indices.size === 0) return false;
    const utteranceId =
      frame.type === 'final' || frame.type === 'translation' || frame.type === 'error'
        ? frame.utterance_id
        : undefined;
    if (!utteranceId) return false;
    return this.indices.has(utteranceIndex(utteranceId));
  }
}
