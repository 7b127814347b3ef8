import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../../common/config/app-config';
import { RedisClient } from '../../common/redis/redis.module';
import { ResultStreamService, StoredResult } from '../../utterance/result-stream.service';
import { SessionConfig } from '../protocol/session-config';

export interface SessionState {
  sessionId: string;
  config: SessionConfig;
  /** Seq of the last delivered final (0 for none). */
  seq: number;
  /** Index of the last settled utterance. */
  lastIndex: number;
  /** Outbox id of the last replayable frame written to the client's socket. */
  lastSentId: string;
  /** The API key that owns the session; null when it was opened without one. */
  keyId: string | null;
}

/**
 * Utterances kept in a session's dedupe marks and expected-finals list: far more than can be in
 * flight at once (finals missing for 60 s are given up), so per-session state stays bounded
 * however long a session runs.
 */
export const DEDUPE_WINDOW = 1000;

/** `<session uuid>.<32 base64url characters>`, as `create` makes them. */
export const RESUME_TOKEN =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.[A-Za-z0-9_-]{32}$/;

/**
 * Delivers one frame exactly once: KEYS state hash, outbox stream, delivered marks (sorted set by
 * utterance index);
 * ARGV dedupe key, mode (final|translation|settle), index, frame JSON, ttl, maxlen, owner.
 * Returns {'ok', outbox id, seq}, {'dup'} or {'owner'} when another connection owns the session.
 */
const DELIVER = `
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner ~= ARGV[7] then return {'owner'} end
if redis.call('ZADD', KEYS[3], 'NX', ARGV[3], ARGV[1]) == 0 then return {'dup'} end
local mode = ARGV[2]
local seq = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
if mode ~= 'translation' then
  local last = tonumber(redis.call('HGET', KEYS[1], 'lastIndex') or '0')
  if tonumber(ARGV[3]) > last then redis.call('HSET', KEYS[1], 'lastIndex', ARGV[3]) end
  -- Bounded: dedupe marks of utterances far behind the newest settled one can never match again.
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', tonumber(ARGV[3]) - ${DEDUPE_WINDOW})
end
local id = ''
if mode == 'final' then
  seq = seq + 1
  redis.call('HSET', KEYS[1], 'seq', seq, 'sub', 0)
  id = seq .. '-0'
elseif mode == 'translation' then
  id = seq .. '-' .. redis.call('HINCRBY', KEYS[1], 'sub', 1)
end
if id ~= '' then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[6], id, 'm', ARGV[4])
end
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[5]) end
return {'ok', id, tostring(seq)}
`;

export type DeliverOutcome =
  { status: 'ok'; id: string; seq: number } | { status: 'dup' } | { status: 'owner' };

export interface OutboxEntry {
  id: string;
  frame: Record<string, unknown> & { type: string };
}

/** No session for this id or resume token (expired, unknown, or another key's). */
export class SessionNotFoundError extends Error {}

/**
 * Sessions in Redis, so any gateway can serve any session: config, counters, the resume token's
 * hash, the outbox of delivered frames (for replay) and the finals still expected. Every key
 * expires after SESSION_TTL_SECONDS without activity.
 */
@Injectable()
export class SessionStoreService {
  constructor(
    private readonly client: RedisClient,
    private readonly results: ResultStreamService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get ttl(): number {
    return this.config.gateway.sessionTtlSeconds;
  }

  private keys(sessionId: string): string[] {
    return [
      this.client.keys.sessionState(sessionId),
      this.client.keys.sessionOutbox(sessionId),
      this.client.keys.sessionDelivered(sessionId),
      this.client.keys.sessionFinals(sessionId),
      this.results.streamKey(sessionId),
    ];
  }

  /**
   * A new session owned by connection `owner` (and API key `keyId`, null without one); returns its
   * id and the resume token (shown once).
   */
  async create(
    config: SessionConfig,
    owner: string,
    keyId: string | null = null,
  ): Promise<{ sessionId: string; token: string }> {
    const sessionId = randomUUID();
    const token = `${sessionId}.${randomBytes(24).toString('base64url')}`;
    const state = this.client.keys.sessionState(sessionId);
    await this.client.redis
      .multi()
      .hset(state, {
        config: JSON.stringify(config),
        tokenHash: hashToken(token),
        owner,
        nextIndex: 0,
        seq: 0,
        sub: 0,
        lastIndex: 0,
        lastSentId: '0',
        createdAt: Date.now(),
        ...(keyId === null ? {} : { keyId }),
      })
      .expire(state, this.ttl)
      .exec();
    return { sessionId, token };
  }

  /**
   * Checks a resume token and makes `owner` the session's owner (the old socket loses it). The
   * session must belong to the same principal (`keyId`, null for anonymous): a resume token alone
   * does not hand a session to another key. A token of the wrong shape never reaches Redis.
   */
  async resume(token: string, owner: string, keyId: string | null = null): Promise<SessionState> {
    const notFound = () => new SessionNotFoundError('unknown or expired resume token');
    if (!RESUME_TOKEN.test(token)) throw notFound();
    const sessionId = token.slice(0, token.indexOf('.'));
    const state = this.client.keys.sessionState(sessionId);
    const [stored, storedKey] = await this.client.redis.hmget(state, 'tokenHash', 'keyId');
    if (!stored || !sameHash(stored, hashToken(token))) throw notFound();
    // Same answer as an unknown token: a token of another key reveals nothing.
    if ((storedKey ?? null) !== keyId) throw notFound();
    await this.client.redis.hset(state, 'owner', owner);
    await this.touch(sessionId);
    return this.load(sessionId);
  }

  async load(sessionId: string): Promise<SessionState> {
    const hash = await this.client.redis.hgetall(this.client.keys.sessionState(sessionId));
    if (!hash.config) {
      throw new SessionNotFoundError('session expired');
    }
    return {
      sessionId,
      config: JSON.parse(hash.config) as SessionConfig,
      seq: Number(hash.seq ?? 0),
      lastIndex: Number(hash.lastIndex ?? 0),
      lastSentId: hash.lastSentId ?? '0',
      keyId: hash.keyId ?? null,
    };
  }

  async saveConfig(sessionId: string, config: SessionConfig): Promise<void> {
    await this.client.redis.hset(
      this.client.keys.sessionState(sessionId),
      'config',
      JSON.stringify(config),
    );
  }

  /** Assigns the next utterance index (1-based), shared by every gateway serving the session. */
  async nextIndex(sessionId: string): Promise<number> {
    return this.client.redis.hincrby(this.client.keys.sessionState(sessionId), 'nextIndex', 1);
  }

  /** Records that the final of `index` was enqueued, before it is: delivery waits for it. */
  async expectFinal(sessionId: string, index: number): Promise<void> {
    const key = this.client.keys.sessionFinals(sessionId);
    await this.client.redis
      .multi()
      .rpush(key, index)
      .ltrim(key, -DEDUPE_WINDOW, -1)
      .expire(key, this.ttl)
      .exec();
  }

  async expectedFinals(sessionId: string, after: number): Promise<number[]> {
    const list = await this.client.redis.lrange(this.client.keys.sessionFinals(sessionId), 0, -1);
    return list.map(Number).filter((index) => index > after);
  }

  async deliver(
    sessionId: string,
    owner: string,
    mode: 'final' | 'translation' | 'settle',
    index: number,
    dedupe: string,
    frame: object | undefined,
  ): Promise<DeliverOutcome> {
    const result = (await this.client.redis.eval(
      DELIVER,
      3,
      this.client.keys.sessionState(sessionId),
      this.client.keys.sessionOutbox(sessionId),
      this.client.keys.sessionDelivered(sessionId),
      dedupe,
      mode,
      index,
      frame ? JSON.stringify(frame) : '',
      this.ttl,
      this.config.gateway.resultStreamMaxLen,
      owner,
    )) as ['ok', string, string] | ['dup' | 'owner'];
    if (result[0] === 'ok') return { status: 'ok', id: result[1], seq: Number(result[2]) };
    return { status: result[0] };
  }

  /** Delivered frames after `afterId` ('0' for all), oldest first. */
  async outbox(sessionId: string, afterId = '0'): Promise<OutboxEntry[]> {
    const entries = await this.client.redis.xrange(
      this.client.keys.sessionOutbox(sessionId),
      afterId === '0' ? '-' : `(${afterId}`,
      '+',
    );
    return entries.map(([id, fields]) => ({
      id,
      frame: JSON.parse(fields[1] ?? '') as OutboxEntry['frame'],
    }));
  }

  /** The session's result stream after `afterId` ('0' for all), a batch at a time. */
  async readResults(sessionId: string, afterId: string): Promise<StoredResult[]> {
    return this.results.readAfter(sessionId, afterId, 500);
  }

  /**
   * Only while the session exists: a delivery write still in flight after the session was
   * discarded (or expired) must not recreate its state key without a TTL.
   */
  async setLastSent(sessionId: string, id: string): Promise<void> {
    await this.client.redis.eval(
      SET_IF_EXISTS,
      1,
      this.client.keys.sessionState(sessionId),
      'lastSentId',
      id,
    );
  }

  /** Removes a session that never got used (replaced by a resume on the same connection). */
  async discard(sessionId: string): Promise<void> {
    await this.client.redis.del(...this.keys(sessionId));
  }

  /** Keeps an active session alive: every key's idle TTL starts again. */
  async touch(sessionId: string): Promise<void> {
    const pipeline = this.client.redis.pipeline();
    for (const key of this.keys(sessionId)) pipeline.expire(key, this.ttl);
    await pipeline.exec();
  }
}

const SET_IF_EXISTS = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
return 0
`;

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
