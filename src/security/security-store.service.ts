import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { RedisClient } from '../common/redis/redis.module';

/** Adds a member with a fresh score, drops stale ones, and admits it only while under the limit. */
const ACQUIRE_SLOT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
if redis.call('ZCARD', KEYS[1]) > tonumber(ARGV[4]) then
  redis.call('ZREM', KEYS[1], ARGV[3])
  return 0
end
return 1
`;

/** Short, non-reversible label for a presented credential (counters, never logs of the value). */
export function credentialLabel(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 24);
}

/**
 * The security state shared by every gateway instance, in Redis: failed-authentication counters,
 * used token ids, revoked key ids and per-key open sessions.
 */
@Injectable()
export class SecurityStoreService {
  constructor(private readonly client: RedisClient) {}

  /** Failures recorded in the current window for each subject (`ip:...`, `key:...`). */
  async failures(subjects: readonly string[]): Promise<number[]> {
    if (subjects.length === 0) return [];
    const values = await this.client.redis.mget(
      ...subjects.map((s) => this.client.keys.authFailures(s)),
    );
    return values.map((value) => Number(value ?? 0));
  }

  async recordFailure(subjects: readonly string[], windowSeconds: number): Promise<void> {
    const multi = this.client.redis.multi();
    for (const subject of subjects) {
      const key = this.client.keys.authFailures(subject);
      multi.incr(key).expire(key, windowSeconds, 'NX');
    }
    await multi.exec();
  }

  /** True the first time a token id is used; false when it was used before (replay). */
  async useTokenOnce(jti: string, untilEpochSeconds: number): Promise<boolean> {
    const ttl = Math.max(1, Math.ceil(untilEpochSeconds - Date.now() / 1000) + 10);
    const set = await this.client.redis.set(
      this.client.keys.tokenId(credentialLabel(jti)),
      '1',
      'EX',
      ttl,
      'NX',
    );
    return set === 'OK';
  }

  async markRevoked(keyId: string, ttlSeconds: number): Promise<void> {
    await this.client.redis.set(this.client.keys.keyRevoked(keyId), '1', 'EX', ttlSeconds);
  }

  async isRevoked(keyId: string): Promise<boolean> {
    return (await this.client.redis.exists(this.client.keys.keyRevoked(keyId))) === 1;
  }

  /**
   * Takes one of a key's `limit` session slots for `member`; false when all are taken. Slots are
   * refreshed by `refreshSlots` and expire after `staleMs` (a crashed gateway frees its slots).
   */
  async acquireSlot(
    keyId: string,
    member: string,
    limit: number,
    staleMs: number,
  ): Promise<boolean> {
    const now = Date.now();
    const result = await this.client.redis.eval(
      ACQUIRE_SLOT,
      1,
      this.client.keys.keySessions(keyId),
      now - staleMs,
      now,
      member,
      limit,
      staleMs * 2,
    );
    return result === 1;
  }

  async refreshSlots(
    slots: readonly { keyId: string; member: string }[],
    staleMs: number,
  ): Promise<void> {
    if (slots.length === 0) return;
    const now = Date.now();
    const multi = this.client.redis.multi();
    for (const { keyId, member } of slots) {
      const key = this.client.keys.keySessions(keyId);
      multi.zadd(key, 'XX', now, member).pexpire(key, staleMs * 2);
    }
    await multi.exec();
  }

  async releaseSlot(keyId: string, member: string): Promise<void> {
    await this.client.redis.zrem(this.client.keys.keySessions(keyId), member);
  }
}
