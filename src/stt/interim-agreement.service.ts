import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { RedisClient } from '../common/redis/redis.module';
import { AgreementState, EMPTY_AGREEMENT } from './text/local-agreement';

/** Sets the state only when its revision is newer than the stored one (any worker may finish first). */
const SAVE_IF_NEWER = `
local current = redis.call('GET', KEYS[1])
if current then
  local revision = tonumber(string.match(current, '^(%d+)|'))
  if revision and revision >= tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[2], 'EX', ARGV[3])
return 1`;

/**
 * The LocalAgreement-2 state of each growing utterance (committed and tentative words), shared by
 * every stt worker through Redis: consecutive interims of one utterance may run anywhere.
 */
@Injectable()
export class InterimAgreementService {
  constructor(
    private readonly client: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private key(utteranceId: string): string {
    return this.client.keys.utteranceAgreement(utteranceId);
  }

  async load(utteranceId: string): Promise<AgreementState> {
    const value = await this.client.redis.get(this.key(utteranceId));
    if (value === null) return EMPTY_AGREEMENT;
    const separator = value.indexOf('|');
    try {
      const parsed = JSON.parse(value.slice(separator + 1)) as Omit<AgreementState, 'revision'>;
      return { revision: Number(value.slice(0, separator)), ...parsed };
    } catch {
      return EMPTY_AGREEMENT;
    }
  }

  /** False when a newer interim of the utterance already saved its state. */
  async save(utteranceId: string, state: AgreementState): Promise<boolean> {
    const { revision, ...rest } = state;
    const saved = await this.client.redis.eval(
      SAVE_IF_NEWER,
      1,
      this.key(utteranceId),
      String(revision),
      JSON.stringify(rest),
      String(this.config.gateway.sessionTtlSeconds),
    );
    return saved === 1;
  }

  async forget(utteranceId: string): Promise<void> {
    await this.client.redis.del(this.key(utteranceId));
  }
}
