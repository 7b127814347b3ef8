import { compareStreamIds } from '../common/stream-id';
import { entryLanguage, ORIGINAL, RoomEntry, RoomInterim, wireFrame } from './room-frames';

/** One listener socket (WebSocket or SSE) as the fan-out sees it. */
export interface ListenerSink {
  readonly id: string;
  /** `original` or a language code. */
  readonly language: string;
  /** A serialized frame; `id` is the stream id for replayable frames (SSE `id:`). */
  send(frame: string, id?: string): void;
  /** The room ended: the sink sends nothing more and closes with the documented reason. */
  end(): void;
  /** Bytes written and not yet taken by the client; undefined once the sink is closed. */
  backlog?(): number | undefined;
  /** The client did not take its replay in time: closed as a slow reader (it resumes). */
  tooSlow?(): void;
}

/** An entry of a replay page with its wire form, serialized once for every listener. */
export interface ReplayItem {
  entry: RoomEntry;
  text: string;
}

interface Member {
  sink: ListenerSink;
  /** Last stream id sent. */
  lastId: string;
  /** Entries read live while the listener's replay was still being read. */
  pending?: RoomEntry[];
}

/**
 * Fan-out of one room on one gateway, without I/O: every entry is serialized once (not once per
 * listener) and sent to each listener whose language it is for, exactly once and in stream
 * order, also across the hand-over from replay (transcript so far, resume) to live.
 */
export class RoomFanout {
  private readonly members = new Map<string, Member>();
  private ended = false;

  get size(): number {
    return this.members.size;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Counts by language of the listeners on this gateway. */
  languages(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const { sink } of this.members.values()) {
      counts.set(sink.language, (counts.get(sink.language) ?? 0) + 1);
    }
    return counts;
  }

  sinks(): ListenerSink[] {
    return [...this.members.values()].map((m) => m.sink);
  }

  /** Adds a listener that has seen everything up to `afterId`; live entries wait for replay(). */
  add(sink: ListenerSink, afterId: string): void {
    this.members.set(sink.id, { sink, lastId: afterId, pending: [] });
  }

  remove(id: string): boolean {
    return this.members.delete(id);
  }

  has(id: string): boolean {
    return this.members.has(id);
  }

  /**
   * The listener's replay (entries after its position, read from the stream after add()), then
   * whatever arrived live meanwhile: each entry once, in order.
   */
  replay(id: string, entries: RoomEntry[]): void {
    this.replayPage(
      id,
      entries.map((entry) => ({ entry, text: wireFrame(entry) })),
    );
    this.replayDone(id);
  }

  /** One page of a listener's replay, in order; false when the listener is gone. */
  replayPage(id: string, page: readonly ReplayItem[]): boolean {
    const member = this.members.get(id);
    if (!member?.pending) return false;
    const texts = new Map(page.map(({ entry, text }) => [entry.id, text]));
    this.deliverTo(
      member,
      page.map((item) => item.entry),
      texts,
    );
    return this.members.has(id);
  }

  /** The replay is complete: what arrived live meanwhile follows, then live entries. */
  replayDone(id: string): void {
    const member = this.members.get(id);
    if (!member?.pending) return;
    const pending = member.pending;
    member.pending = undefined;
    this.deliverTo(member, pending, new Map());
  }

  /** Live entries from the room stream, in order. */
  dispatch(entries: RoomEntry[]): void {
    const cache = new Map<string, string>();
    for (const member of this.members.values()) {
      if (member.pending) member.pending.push(...entries);
      else this.deliverTo(member, entries, cache);
    }
    if (entries.some((e) => e.frame.type === 'ended')) this.ended = true;
  }

  /** An interim caption: the original text to everyone, plus its translation where there is one. */
  interim(frame: RoomInterim): void {
    const cache = new Map<string, string>();
    for (const { sink, pending } of this.members.values()) {
      if (pending) continue;
      const translation =
        sink.language === ORIGINAL ? undefined : frame.translations?.[sink.language];
      const key = translation === undefined ? '' : sink.language;
      let text = cache.get(key);
      if (text === undefined) {
        const rest: Omit<RoomInterim, 'translations'> & { translations?: unknown } = { ...frame };
        delete rest.translations;
        text = JSON.stringify(translation === undefined ? rest : { ...rest, translation });
        cache.set(key, text);
      }
      sink.send(text);
    }
  }

  private deliverTo(member: Member, entries: RoomEntry[], cache: Map<string, string>): void {
    for (const entry of entries) {
      if (compareStreamIds(entry.id, member.lastId) <= 0) continue;
      member.lastId = entry.id;
      const language = entryLanguage(entry.frame);
      if (language !== undefined && language !== member.sink.language) continue;
      let text = cache.get(entry.id);
      if (text === undefined) {
        text = wireFrame(entry);
        cache.set(entry.id, text);
      }
      member.sink.send(text, entry.id);
      if (entry.frame.type === 'ended') {
        member.sink.end();
        this.members.delete(member.sink.id);
        return;
      }
    }
  }
}
