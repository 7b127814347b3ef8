import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { RedisClient } from '../redis/redis.module';
import { ResultMessage } from './result-messages';

/**
 * Appends a message unless its dedupe key was already written, atomically, so a retried job
 * cannot deliver the same final or translation twice.
 * KEYS[1] stream, KEYS[2] dedupe key (or '' for none); ARGV: maxlen, ttl seconds, payload.
 */
const APPEND_ONCE = `
if KEYS[2] ~= '' then
  if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[2]) == false then
    return false
  end
end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'm', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return id
`;

export interface StoredResult {
  id: string;
  message: ResultMessage;
}

/** One bounded, expiring Redis stream per session: the replayable path from workers to gateways. */
@Injectable()
export class ResultStreamService {
  constructor(
    private readonly client: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  streamKey(sessionId: string): string {
    return this.client.keys.sessionResults(sessionId);
  }

  /** Returns the stream id, or null when `dedupeId` was already written (a retried job). */
  async append(
    sessionId: string,
    message: ResultMessage,
    dedupeId?: string,
  ): Promise<string | null> {
    const dedupeKey = dedupeId ? this.client.keys.sessionResultWritten(sessionId, dedupeId) : '';
    const id = (await this.client.redis.eval(
      APPEND_ONCE,
      2,
      this.streamKey(sessionId),
      dedupeKey,
      this.config.gateway.resultStreamMaxLen,
      this.config.gateway.sessionTtlSeconds,
      JSON.stringify(message),
    )) as string | null;
    return id;
  }

  /** Everything after `afterId` ('0' for all), oldest first. */
  async readAfter(sessionId: string, afterId: string, count = 1000): Promise<StoredResult[]> {
    const entries = await this.client.redis.xrange(
      this.streamKey(sessionId),
      afterId === '0' ? '-' : `(${afterId}`,
      '+',
      'COUNT',
      count,
    );
    return entries.map(([id, fields]) => ({ id, message: parseEntry(fields) }));
  }
}

export function parseEntry(fields: string[]): ResultMessage {
  const index = fields.indexOf('m');
  return JSON.parse(index >= 0 ? fields[index + 1] : '{}') as ResultMessage;
}
