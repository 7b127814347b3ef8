import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { RedisConnection, RedisConnectionFactory } from '../common/redis/redis-connection.factory';
import { RedisClient } from '../common/redis/redis.module';
import { subscribeWhenReady } from '../common/redis/subscribe-when-ready';
import { OutgoingFrame } from './outgoing-frame';
import { ListenerSink, RoomFanout } from './room-fanout';
import { parseEntry, RoomInterim } from './room-frames';
import { PRESENCE_REFRESH_MS, RoomMeta, RoomStoreService } from './room-store.service';

interface HubRoom {
  roomId: string;
  keyId: string | null;
  fanout: RoomFanout;
  /** Last stream id read live. */
  cursor: string;
  streamKey: string;
  /** Full replay pages by the id they follow, serialized once for all the room's listeners. */
  pages: Map<string, { items: OutgoingFrame[]; last: string }>;
}

const BLOCK_MS = 5000;
const BATCH = 500;
/** Entries per replay page: one page is written to a listener, then it must take it. */
const REPLAY_PAGE = 200;
const CACHED_PAGES = 16;
const DRAIN_POLL_MS = 20;
/** A listener that does not take a replay page within this time is closed as a slow reader. */
const DRAIN_TIMEOUT_MS = 10_000;
/**
 * Replay pages written at once on this gateway, whatever the number of joining listeners: a crowd
 * that joins together (or one client with many connections) takes turns, and live traffic gets
 * the event loop between pages.
 */
const REPLAYS_AT_ONCE = 4;

/** First come, first served places (no I/O). */
class Turns {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(places: number) {
    this.free = places;
  }

  async take(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  give(): void {
    const next = this.waiting.shift();
    if (next) setImmediate(next);
    else this.free++;
  }
}

/** Waits until the sink's unsent bytes are at most `lowWater`: 'ok', 'closed' or 'slow'. */
async function drained(sink: ListenerSink, lowWater: number): Promise<'ok' | 'closed' | 'slow'> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  for (;;) {
    if (!sink.backlog) return 'ok';
    const backlog = sink.backlog();
    if (backlog === undefined) return 'closed';
    if (backlog <= lowWater) return 'ok';
    if (Date.now() >= deadline) return 'slow';
    await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
  }
}

/** A published interim; a malformed preview is dropped (finals carry the text anyway). */
function parseInterim(message: string): RoomInterim | undefined {
  try {
    const frame = JSON.parse(message) as RoomInterim | null;
    return frame?.type === 'realtime' ? frame : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The listeners of every room on this gateway: one XREAD BLOCK loop over the streams of the
 * rooms that have listeners here (not one per listener), one pub/sub subscription per room for
 * interim captions, and one presence refresh per room every few seconds.
 */
@Injectable()
export class RoomHubService implements OnApplicationShutdown {
  private readonly logger = new Logger('RoomHub');
  private readonly rooms = new Map<string, HubRoom>();
  private readonly byStream = new Map<string, HubRoom>();
  private reader?: RedisConnection;
  private subscriber?: RedisConnection;
  private readerId?: number;
  private running = false;
  private loop?: Promise<void>;
  private presenceTimer?: NodeJS.Timeout;
  private readonly replayTurns = new Turns(REPLAYS_AT_ONCE);

  constructor(
    private readonly factory: RedisConnectionFactory,
    private readonly client: RedisClient,
    private readonly store: RoomStoreService,
  ) {}

  get listenerCount(): number {
    let n = 0;
    for (const room of this.rooms.values()) n += room.fanout.size;
    return n;
  }

  /**
   * Adds a listener who has seen the room up to `afterId` ('0': nothing, so the transcript so far
   * is replayed): replay, then live, each entry once and in order. The replay goes out a page at
   * a time, the next page only once the listener took the last down to `lowWater` unsent bytes.
   */
  async attach(
    meta: RoomMeta,
    sink: ListenerSink,
    afterId: string,
    lowWater = 64 * 1024,
  ): Promise<void> {
    const room = await this.room(meta);
    room.fanout.add(sink, afterId);
    try {
      let from = afterId;
      for (;;) {
        await this.replayTurns.take();
        let page;
        try {
          page = await this.page(room, from);
          if (page.items.length > 0 && !room.fanout.replayPage(sink.id, page.items)) return;
        } finally {
          this.replayTurns.give();
        }
        if (!page.full) break;
        from = page.last;
        const outcome = await drained(sink, lowWater);
        if (outcome === 'closed' || !room.fanout.has(sink.id)) return;
        if (outcome === 'slow') {
          sink.tooSlow?.();
          return;
        }
      }
      room.fanout.replayDone(sink.id);
    } catch (error) {
      this.detach(meta.id, sink.id);
      throw error;
    }
  }

  /**
   * The replay page after `from`. Full pages never change (entries are only appended), so they
   * are kept for the listeners that come after; a short one is the stream's end right now.
   */
  private async page(
    room: HubRoom,
    from: string,
  ): Promise<{ items: OutgoingFrame[]; last: string; full: boolean }> {
    const cached = room.pages.get(from);
    if (cached) {
      room.pages.delete(from);
      room.pages.set(from, cached);
      return { ...cached, full: true };
    }
    const { entries, last, full } = await this.store.readPage(room.roomId, from, REPLAY_PAGE);
    const items = entries.map((entry) => new OutgoingFrame(entry));
    if (full) {
      room.pages.set(from, { items, last });
      if (room.pages.size > CACHED_PAGES) room.pages.delete(room.pages.keys().next().value!);
    }
    return { items, last, full };
  }

  /** Removes a listener; true when it was still attached (its presence is then released). */
  detach(roomId: string, sinkId: string): boolean {
    const room = this.rooms.get(roomId);
    if (!room) return false;
    const removed = room.fanout.remove(sinkId);
    if (room.fanout.size === 0) {
      this.rooms.delete(roomId);
      this.byStream.delete(room.streamKey);
      this.subscriber?.unsubscribe(this.store.liveChannel(roomId)).catch(() => undefined);
    }
    return removed;
  }

  private async room(meta: RoomMeta): Promise<HubRoom> {
    const roomId = meta.id;
    const existing = this.rooms.get(roomId);
    if (existing) return existing;
    this.start();
    const streamKey = this.store.streamKey(roomId);
    const last = await this.client.redis.xrevrange(streamKey, '+', '-', 'COUNT', 1);
    const raced = this.rooms.get(roomId);
    if (raced) return raced;
    const room: HubRoom = {
      roomId,
      keyId: meta.keyId,
      fanout: new RoomFanout({ interims: meta.interims }),
      cursor: last[0]?.[0] ?? '0-0',
      streamKey,
      pages: new Map(),
    };
    this.rooms.set(roomId, room);
    this.byStream.set(streamKey, room);
    await subscribeWhenReady(this.subscriber!, this.store.liveChannel(roomId));
    this.wake();
    return room;
  }

  private start(): void {
    if (this.running) return;
    this.running = true;
    this.reader = this.factory.create('blocking', 'gateway-rooms');
    this.reader.on('ready', () => (this.readerId = undefined));
    this.subscriber = this.factory.create('blocking', 'gateway-room-interims');
    this.subscriber.on('message', (channel: string, message: string) =>
      this.onInterim(channel, message),
    );
    this.presenceTimer = setInterval(() => this.refreshPresence(), PRESENCE_REFRESH_MS);
    this.presenceTimer.unref();
    this.loop = this.run();
  }

  private wake(): void {
    if (this.readerId === undefined) return;
    this.client.redis.client('UNBLOCK', this.readerId).catch(() => undefined);
  }

  private async run(): Promise<void> {
    const reader = this.reader!;
    while (this.running) {
      try {
        this.readerId ??= await reader.client('ID');
        const rooms = [...this.rooms.values()];
        if (rooms.length === 0) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          continue;
        }
        const reply = await reader.xread(
          'COUNT',
          BATCH,
          'BLOCK',
          BLOCK_MS,
          'STREAMS',
          ...rooms.map((r) => r.streamKey),
          ...rooms.map((r) => r.cursor),
        );
        for (const [streamKey, entries] of reply ?? []) this.dispatch(streamKey, entries);
      } catch (error) {
        if (!this.running) break;
        this.logger.warn(`Reading room streams failed: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  private dispatch(streamKey: string, raw: [string, string[]][]): void {
    const room = this.byStream.get(streamKey);
    if (!room || raw.length === 0) return;
    room.cursor = raw.at(-1)?.[0] ?? room.cursor;
    const entries = raw.flatMap(([id, fields]) => parseEntry(id, fields) ?? []);
    try {
      room.fanout.dispatch(entries);
    } catch (error) {
      this.logger.error(`Room fan-out failed: ${(error as Error).message}`);
    }
    if (room.fanout.isEnded && room.fanout.size === 0) this.detach(room.roomId, '');
  }

  private onInterim(channel: string, message: string): void {
    const roomId = this.client.keys.roomIdOfLiveChannel(channel);
    const room = this.rooms.get(roomId);
    if (!room) return;
    const frame = parseInterim(message);
    if (!frame) return;
    try {
      room.fanout.dispatch([{ frame }]);
    } catch (error) {
      this.logger.error(`Room fan-out failed: ${(error as Error).message}`);
    }
  }

  private refreshPresence(): void {
    for (const room of this.rooms.values()) {
      const listeners = room.fanout.sinks().map((s) => ({ id: s.id, language: s.language }));
      this.store.heartbeat(room.roomId, room.keyId, listeners).catch((error: unknown) => {
        this.logger.warn(`Room presence not refreshed: ${(error as Error).message}`);
      });
    }
  }

  /** Stops reading (RoomListenersService closes the listeners first: they resume elsewhere). */
  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    clearInterval(this.presenceTimer);
    this.rooms.clear();
    this.reader?.disconnect();
    this.subscriber?.disconnect();
    await Promise.race([
      this.loop?.catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, 1000).unref()),
    ]);
  }
}
