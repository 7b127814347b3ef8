import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { RedisConnection, RedisConnectionFactory } from '../common/redis/redis-connection.factory';
import { RedisClient } from '../common/redis/redis.module';
import { parseEntry, ResultStreamService, StoredResult } from './result-stream.service';

export type ResultHandler = (results: StoredResult[]) => void;

interface Subscription {
  sessionId: string;
  streamKey: string;
  lastId: string;
  handler: ResultHandler;
}

const BLOCK_MS = 5000;
const BATCH = 200;

/**
 * One XREAD BLOCK loop per gateway over the result streams of every session it holds (not one
 * per socket). A new subscription wakes the blocked read with CLIENT UNBLOCK so it is read at once.
 */
@Injectable()
export class ResultReaderService implements OnApplicationShutdown {
  private readonly logger = new Logger('ResultReader');
  /** By stream key. */
  private readonly subscriptions = new Map<string, Subscription>();
  private connection?: RedisConnection;
  private connectionId?: number;
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly factory: RedisConnectionFactory,
    private readonly client: RedisClient,
    private readonly results: ResultStreamService,
  ) {}

  /** Delivers every message after `afterId` of the session's stream to `handler`, in order. */
  subscribe(sessionId: string, afterId: string, handler: ResultHandler): void {
    const streamKey = this.results.streamKey(sessionId);
    this.subscriptions.set(streamKey, {
      sessionId,
      streamKey,
      lastId: afterId,
      handler,
    });
    this.start();
    this.wake();
  }

  unsubscribe(sessionId: string): void {
    this.subscriptions.delete(this.results.streamKey(sessionId));
  }

  get size(): number {
    return this.subscriptions.size;
  }

  private start(): void {
    if (this.running) return;
    this.running = true;
    this.connection = this.factory.create('blocking', 'gateway-results');
    // A reconnected connection has a new id (an old one could name another client).
    this.connection.on('ready', () => (this.connectionId = undefined));
    this.loop = this.run();
  }

  private wake(): void {
    if (this.connectionId === undefined) return;
    this.client.redis.client('UNBLOCK', this.connectionId).catch(() => undefined);
  }

  private async run(): Promise<void> {
    const connection = this.connection!;
    while (this.running) {
      try {
        this.connectionId ??= await connection.client('ID');
        const subs = [...this.subscriptions.values()];
        if (subs.length === 0) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          continue;
        }
        const reply = await connection.xread(
          'COUNT',
          BATCH,
          'BLOCK',
          BLOCK_MS,
          'STREAMS',
          ...subs.map((s) => s.streamKey),
          ...subs.map((s) => s.lastId),
        );
        for (const [streamKey, entries] of reply ?? []) this.dispatch(streamKey, entries);
      } catch (error) {
        if (!this.running) break;
        this.logger.warn(`Reading results failed: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  private dispatch(streamKey: string, entries: [string, string[]][]): void {
    const sub = this.subscriptions.get(streamKey);
    if (!sub || entries.length === 0) return;
    sub.lastId = entries.at(-1)?.[0] ?? sub.lastId;
    const results: StoredResult[] = [];
    for (const [id, fields] of entries) {
      try {
        results.push({ id, message: parseEntry(fields) });
      } catch {
        this.logger.warn(`Skipping unreadable result ${id} of session ${sub.sessionId}`);
      }
    }
    try {
      sub.handler(results);
    } catch (error) {
      this.logger.error(`Result handler failed: ${(error as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.subscriptions.clear();
    this.connection?.disconnect();
    // A read queued while Redis was away may never settle after disconnect(): do not wait on it.
    await Promise.race([
      this.loop?.catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, 1000).unref()),
    ]);
  }
}
