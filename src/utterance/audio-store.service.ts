import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { RedisClient } from '../common/redis/redis.module';

/** Utterance audio as binary PCM16 in Redis, referenced by stt jobs, expiring on its own. */
@Injectable()
export class AudioStoreService {
  constructor(
    private readonly client: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  keyFor(utteranceId: string, revision: number): string {
    return this.client.keys.audio(utteranceId, revision);
  }

  async put(key: string, pcm16: Buffer): Promise<void> {
    await this.client.redis.set(key, pcm16, 'EX', this.config.gateway.sessionTtlSeconds);
  }

  async get(key: string): Promise<Buffer | null> {
    return this.client.redis.getBuffer(key);
  }

  async delete(...keys: string[]): Promise<void> {
    if (keys.length > 0) await this.client.redis.del(...keys);
  }
}
