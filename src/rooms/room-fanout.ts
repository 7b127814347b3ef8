import { compareStreamIds } from '../common/stream-id';
import { type ListenerRules, OutgoingFrame } from './outgoing-frame';
import { type RoomBroadcast, type RoomEntry } from './room-frames';

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

interface Member {
  sink: ListenerSink;
  /** Last stream id sent. */
  lastId: string;
  /** Stored frames read live while the listener's replay was still being read. */
  pending?: OutgoingFrame[];
}

/**
 * Fan-out of one room on one gateway, without I/O: every frame is serialized once per form (not
 * once per listener) and sent to each listener it is for (OutgoingFrame decides which). Stored
 * frames go exactly once and in stream order, also across the hand-over from replay (transcript
 * so far, resume) to live; interims go only to listeners that are live.
 */
export class RoomFanout {
  private readonly members = new Map<string, Member>();
  private ended = false;

  constructor(private readonly rules: ListenerRules) {}

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
      entries.map((entry) => new OutgoingFrame(entry)),
    );
    this.replayDone(id);
  }

  /** One page of a listener's replay, in order; false when the listener is gone. */
  replayPage(id: string, page: readonly OutgoingFrame[]): boolean {
    const member = this.members.get(id);
    if (!member?.pending) return false;
    this.deliverTo(member, page);
    return this.members.has(id);
  }

  /** The replay is complete: what arrived live meanwhile follows, then live entries. */
  replayDone(id: string): void {
    const member = this.members.get(id);
    if (!member?.pending) return;
    const pending = member.pending;
    member.pending = undefined;
    this.deliverTo(member, pending);
  }

  /** Live frames: entries from the room stream (in order) and interims. */
  dispatch(items: readonly RoomBroadcast[]): void {
    const frames = items.map((item) => new OutgoingFrame(item));
    const stored = frames.filter((frame) => frame.id !== undefined);
    for (const member of this.members.values()) {
      if (member.pending) member.pending.push(...stored);
      else this.deliverTo(member, frames);
    }
    if (frames.some((frame) => frame.ends)) this.ended = true;
  }

  private deliverTo(member: Member, frames: readonly OutgoingFrame[]): void {
    for (const frame of frames) {
      if (frame.id !== undefined) {
        if (compareStreamIds(frame.id, member.lastId) <= 0) continue;
        member.lastId = frame.id;
      }
      const text = frame.textFor(member.sink.language, this.rules);
      if (text !== undefined) member.sink.send(text, frame.id);
      if (frame.ends) {
        member.sink.end();
        this.members.delete(member.sink.id);
        return;
      }
    }
  }
}
