import { type StoredResult } from '../../utterance/result-stream.service';
import { finalDedupe, translationDedupe } from './delivery-sequencer';

/** Results kept for frames not delivered yet; the oldest are forgotten past this. */
const MAX_SOURCES = 2000;

/**
 * Remembers which result-stream entry each final and final translation came from, keyed like
 * the sequencer's dedupe keys, so the runner can hand the stored result (with its stream id) to
 * the archive once the frame is delivered. Pure, no I/O.
 */
export class DeliveredSources {
  private readonly sources = new Map<string, StoredResult>();

  /** Notes a result read from the session's stream (only finals and final translations). */
  note(result: StoredResult): void {
    const key = sourceKey(result);
    if (key === undefined || this.sources.has(key)) return;
    this.sources.set(key, result);
    while (this.sources.size > MAX_SOURCES) {
      this.sources.delete(this.sources.keys().next().value!);
    }
  }

  /** The stored result behind a delivery action's dedupe key, forgotten once taken. */
  take(dedupe: string): StoredResult | undefined {
    const found = this.sources.get(dedupe);
    this.sources.delete(dedupe);
    return found;
  }

  get size(): number {
    return this.sources.size;
  }
}

function sourceKey(result: StoredResult): string | undefined {
  const message = result.message;
  if (message.type === 'final') return finalDedupe(message.index);
  if (message.type === 'translation' && message.kind === 'final') {
    return translationDedupe(message.index, message.language);
  }
  return undefined;
}
