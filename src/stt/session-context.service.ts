import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { RedisClient } from '../common/redis/redis.module';
import { MAX_PROMPT_CHARS } from './text/prompt-builder';

/** The session's previous final text, from which the next utterance's initial prompt is built. */
@Injectable()
export class SessionContextService {
  constructor(
    private readonly client: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  key(sessionId: string): string {
    return this.client.keys.sessionContext(sessionId);
  }

  async previousText(sessionId: string): Promise<string | null> {
    return this.client.redis.get(this.key(sessionId));
  }

  async remember(sessionId: string, text: string): Promise<void> {
    // Keep a little more than a prompt needs; the prompt builder cuts at a word boundary.
    const tail = text.length > MAX_PROMPT_CHARS * 2 ? text.slice(-MAX_PROMPT_CHARS * 2) : text;
    await this.client.redis.set(
      this.key(sessionId),
      tail,
      'EX',
      this.config.gateway.sessionTtlSeconds,
    );
  }
}
