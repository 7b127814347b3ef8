import { newItemId } from './realtime-server-events';

/** An utterance that ended: the item it became and the one before it in the conversation. */
export interface CommittedItem {
  itemId: string;
  previousItemId: string | null;
}

/**
 * Which OpenAI item each utterance is. An item is created when speech starts (the segmenter's
 * utterance number is all that is known then); it gets its utterance index (what results carry)
 * from the first interim of it or when it ends, and is done once its transcript or failure went
 * out. The next speech can start before the previous utterance's end is reported, but its interims
 * only come after that: an interim with an unknown index is the newest open utterance's.
 */
export class RealtimeItems {
  /** Items whose speech started and whose utterance has not ended yet, by utterance number. */
  private readonly open = new Map<number, { itemId: string; index?: number }>();
  private readonly byIndex = new Map<number, string>();
  private lastCommitted: string | null = null;
  /** Indices that must never be bound to an item again (a cleared utterance, finished ones). */
  private retiredUpTo = 0;
  private readonly dropped = new Set<number>();

  /** Speech started: a new item. */
  started(utterance: number): string {
    const itemId = newItemId();
    this.open.set(utterance, { itemId });
    return itemId;
  }

  /** The utterance ended with its index: the item is committed. */
  ended(utterance: number, index: number): CommittedItem | undefined {
    const open = this.open.get(utterance);
    if (!open) return undefined;
    this.open.delete(utterance);
    this.byIndex.set(index, open.itemId);
    const committed = { itemId: open.itemId, previousItemId: this.lastCommitted };
    this.lastCommitted = open.itemId;
    return committed;
  }

  /** The open utterances were thrown away (the index, when known, is ignored from now on). */
  discarded(index: number | undefined): void {
    if (index !== undefined) {
      this.dropped.add(index);
      this.byIndex.delete(index);
    }
    this.open.clear();
  }

  /** The item an interim of `index` belongs to (binding it to the open item when new). */
  forInterim(index: number): string | undefined {
    if (this.dropped.has(index) || index <= this.retiredUpTo) return undefined;
    const known = this.byIndex.get(index);
    if (known) return known;
    const newest = [...this.open.values()].at(-1);
    if (!newest || newest.index !== undefined) return undefined;
    newest.index = index;
    this.byIndex.set(index, newest.itemId);
    return newest.itemId;
  }

  /**
   * The item the result of `index` finishes, and the earlier items that will get no result
   * (finals arrive in utterance order; an utterance without words has none): both are done.
   */
  finished(index: number): { itemId?: string; silent: string[] } {
    const silent: string[] = [];
    const openIndices = new Set([...this.open.values()].map((open) => open.index));
    for (const [earlier, itemId] of this.byIndex) {
      if (earlier < index && !openIndices.has(earlier)) {
        silent.push(itemId);
        this.byIndex.delete(earlier);
      }
    }
    const itemId = this.byIndex.get(index);
    this.byIndex.delete(index);
    this.dropped.delete(index);
    this.retiredUpTo = Math.max(this.retiredUpTo, index);
    return { itemId, silent };
  }
}
