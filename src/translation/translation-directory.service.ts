import { Injectable } from '@nestjs/common';
import { RedisClient } from '../common/redis/redis.module';
import { LanguagePair } from './engines/translation-engine';

/** How long a worker's entry counts after its last refresh. */
export const DIRECTORY_TTL_MS = 60_000;

interface DirectoryEntry {
  pairs: LanguagePair[];
  expiresAt: number;
}

/**
 * Which language pairs the running translation workers serve, in Redis, so that a gateway (which
 * runs no engine) can list languages and reject unsupported pairs before queueing. Each worker
 * owns one field of a hash and refreshes it; entries of workers that stopped refreshing expire.
 */
@Injectable()
export class TranslationDirectoryService {
  constructor(private readonly client: RedisClient) {}

  private get key(): string {
    return this.client.keys.translationDirectory();
  }

  async publish(workerId: string, pairs: LanguagePair[]): Promise<void> {
    const entry: DirectoryEntry = { pairs, expiresAt: Date.now() + DIRECTORY_TTL_MS };
    await this.client.redis.hset(this.key, workerId, JSON.stringify(entry));
  }

  async withdraw(workerId: string): Promise<void> {
    await this.client.redis.hdel(this.key, workerId);
  }

  /** Pairs some live worker serves; stale entries are removed on the way. */
  async pairs(): Promise<LanguagePair[]> {
    const all = await this.client.redis.hgetall(this.key);
    const now = Date.now();
    const pairs = new Map<string, LanguagePair>();
    for (const [worker, raw] of Object.entries(all)) {
      let entry: DirectoryEntry | undefined;
      try {
        entry = JSON.parse(raw) as DirectoryEntry;
      } catch {
        entry = undefined;
      }
      if (!entry || entry.expiresAt < now) {
        await this.client.redis.hdel(this.key, worker);
        continue;
      }
      for (const pair of entry.pairs) pairs.set(`${pair.source}-${pair.target}`, pair);
    }
    return [...pairs.values()];
  }
}
