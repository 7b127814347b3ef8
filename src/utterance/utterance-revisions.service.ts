import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { RedisClient } from '../common/redis/redis.module';

/**
 * The newest snapshot the gateway has sent for each utterance. The gateway marks a revision before
 * it enqueues it; an stt worker skips an interim whose revision is no longer the newest (latest
 * wins), so slow workers never build a backlog of stale interims.
 */
@Injectable()
export class UtteranceRevisionsService {
  constructor(
    private readonly client: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private key(utteranceId: string): string {
    return this.client.keys.utteranceLatest(utteranceId);
  }

  /** Called by the gateway before it enqueues revision `revision` (the final has the highest). */
  async mark(utteranceId: string, revision: number): Promise<void> {
    await this.client.redis.set(
      this.key(utteranceId),
      revision,
      'EX',
      this.config.gateway.sessionTtlSeconds,
    );
  }

  async latest(utteranceId: string): Promise<number | null> {
    const value = await this.client.redis.get(this.key(utteranceId));
    return value === null ? null : Number(value);
  }

  /** True when a newer snapshot (or the final) of the same utterance exists. */
  async isStale(utteranceId: string, revision: number): Promise<boolean> {
    const latest = await this.latest(utteranceId);
    return latest !== null && latest > revision;
  }
}
