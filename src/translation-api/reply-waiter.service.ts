import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { RedisConnection } from '../common/redis/redis-connection.factory';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { RedisConnectionFactory } from '../common/redis/redis-connection.factory';
import { TranslationReply } from '../translation';

/** Too many HTTP translations are in flight: answer 503. */
export class TooManyPending extends Error {}

/**
 * Waits for worker replies with BLPOP on a pool of blocking connections (a blocked connection
 * serves one waiter). The pool size is the cap on HTTP translations in flight. Every text of a
 * request replies on one list (the reply carries the text's index), so a wait is one BLPOP on one
 * key per reply, whatever the size of the batch.
 */
@Injectable()
export class ReplyWaiterService implements OnApplicationShutdown {
  private readonly idle: RedisConnection[] = [];
  private created = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly factory: RedisConnectionFactory,
  ) {}

  /** Throws TooManyPending when every connection is busy. */
  acquire(): RedisConnection {
    const connection = this.idle.pop();
    if (connection) return connection;
    if (this.created >= this.config.translation.apiMaxPending) {
      throw new TooManyPending('Too many translation requests in flight');
    }
    this.created++;
    return this.factory.create('blocking', `translate-replies-${this.created}`);
  }

  release(connection: RedisConnection): void {
    if (connection.status === 'ready') this.idle.push(connection);
    else {
      this.created--;
      connection.disconnect();
    }
  }

  /**
   * The replies to `indexes` from the list `key`, by index; indexes without a reply by the
   * deadline are missing from the map.
   */
  async wait(
    connection: RedisConnection,
    key: string,
    indexes: readonly number[],
    timeoutMs: number,
  ): Promise<Map<number, TranslationReply>> {
    const expected = new Set(indexes);
    const replies = new Map<number, TranslationReply>();
    const deadline = Date.now() + timeoutMs;
    while (replies.size < expected.size) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      const popped = await connection.blpop(key, Math.max(0.01, left / 1000));
      if (!popped) break;
      const reply = JSON.parse(popped[1]) as TranslationReply;
      if (typeof reply.index === 'number' && expected.has(reply.index)) {
        replies.set(reply.index, reply);
      }
    }
    return replies;
  }

  onApplicationShutdown(): void {
    for (const connection of this.idle.splice(0)) connection.disconnect();
  }
}
