import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { RedisClient } from '../common/redis/redis.module';
import { ResultMessage } from '../contracts/result-messages';

/**
 * Lua: `append_once(stream, written, maxlen, ttl, message)` appends `message` to the results
 * stream unless the dedupe key `written` ('' for none) is already set, atomically, so a retried
 * job cannot deliver the same final or translation twice; returns the stream id or false. Shared
 * by every script that writes a result, so they dedupe alike.
 */
export const APPEND_ONCE_LUA = `
local function append_once(stream, written, maxlen, ttl, message)
  if written ~= '' then
    if redis.call('SET', written, '1', 'NX', 'EX', ttl) == false then
      return false
    end
  end
  local id = redis.call('XADD', stream, 'MAXLEN', '~', maxlen, '*', 'm', message)
  redis.call('EXPIRE', stream, ttl)
  return id
end
`;

/** KEYS[1] stream, KEYS[2] dedupe key (or '' for none); ARGV: maxlen, ttl seconds, payload. */
const APPEND_ONCE = `${APPEND_ONCE_LUA}
return append_once(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3])
`;

/** Where a session's results go: what APPEND_ONCE_LUA needs besides the message. */
export interface ResultTarget {
  stream: string;
  /** The dedupe key ('' when the result has no dedupe id). */
  written: string;
  maxLen: number;
  ttlSeconds: number;
}

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
    const target = this.target(sessionId, dedupeId);
    const id = (await this.client.redis.eval(
      APPEND_ONCE,
      2,
      target.stream,
      target.written,
      target.maxLen,
      target.ttlSeconds,
      JSON.stringify(message),
    )) as string | null;
    return id;
  }

  target(sessionId: string, dedupeId?: string): ResultTarget {
    return {
      stream: this.streamKey(sessionId),
      written: dedupeId ? this.client.keys.sessionResultWritten(sessionId, dedupeId) : '',
      maxLen: this.config.gateway.resultStreamMaxLen,
      ttlSeconds: this.config.gateway.sessionTtlSeconds,
    };
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
  return JSON.parse(index >= 0 ? (fields[index + 1] ?? '') : '{}') as ResultMessage;
}
