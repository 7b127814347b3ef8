import { RealtimeItems } from './realtime-items';

describe('RealtimeItems', () => {
  it('creates an item at speech start, binds its index and chains committed items', () => {
    const items = new RealtimeItems();
    const first = items.started(0);
    expect(first).toMatch(/^item_/);
    expect(items.forInterim(1)).toBe(first);
    expect(items.ended(0, 1)).toEqual({ itemId: first, previousItemId: null });
    const second = items.started(1);
    expect(items.ended(1, 2)).toEqual({ itemId: second, previousItemId: first });
    expect(items.finished(1)).toEqual({ itemId: first, silent: [] });
    expect(items.finished(2)).toEqual({ itemId: second, silent: [] });
    expect(items.forInterim(2)).toBeUndefined();
  });

  it('reports the end of an utterance whose next speech started first', () => {
    const items = new RealtimeItems();
    const first = items.started(0);
    const second = items.started(1);
    expect(items.ended(0, 1)?.itemId).toBe(first);
    expect(items.forInterim(2)).toBe(second);
  });

  it('finishes earlier items without a result as silent', () => {
    const items = new RealtimeItems();
    const quiet = items.started(0);
    items.ended(0, 1);
    const spoken = items.started(1);
    items.ended(1, 2);
    expect(items.finished(2)).toEqual({ itemId: spoken, silent: [quiet] });
  });

  it('ignores interims of a discarded utterance', () => {
    const items = new RealtimeItems();
    items.started(0);
    expect(items.forInterim(1)).toBeDefined();
    items.discarded(1);
    const next = items.started(1);
    expect(items.forInterim(1)).toBeUndefined();
    expect(items.forInterim(2)).toBe(next);
  });
});
