import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { RedisConnection } from '../common/redis/redis-connection.factory';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { RedisConnectionFactory } from '../common/redis/redis-connection.factory';
import { TranslationReply } from '../translation/translation-reply';

/** Too many HTTP translations are in flight: answer 503. */
export class TooManyPending extends Error {}

/**
 * Waits for worker replies with BLPOP on a pool of blocking connections (a blocked connection
 * serves one waiter). The pool size is the cap on HTTP translations in flight.
 */
@Injectable()
export class ReplyWaiter implements OnApplicationShutdown {
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
   * Replies for every key, in key order, or undefined for keys without a reply by the deadline.
   */
  async wait(
    connection: RedisConnection,
    keys: string[],
    timeoutMs: number,
  ): Promise<(TranslationReply | undefined)[]> {
    const replies = new Map<string, TranslationReply>();
    const deadline = Date.now() + timeoutMs;
    while (replies.size < keys.length) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      const pending = keys.filter((key) => !replies.has(key));
      const popped = await connection.blpop(...pending, Math.max(0.01, left / 1000));
      if (!popped) break;
      const [key, value] = popped;
      replies.set(key, JSON.parse(value) as TranslationReply);
    }
    return keys.map((key) => replies.get(key));
  }

  onApplicationShutdown(): void {
    for (const connection of this.idle.splice(0)) connection.disconnect();
  }
}
