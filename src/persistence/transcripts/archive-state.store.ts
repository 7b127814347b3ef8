import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../common/config/app-config';
import { RedisClient } from '../../common/redis/redis.module';

/** Sets the cursor only when the new id is later. KEYS[1] cursor; ARGV id, ttl seconds. */
const ADVANCE_CURSOR = `
local current = redis.call('GET', KEYS[1])
if current then
  local cm, cs = string.match(current, '^(%d+)-(%d+)$')
  local nm, ns = string.match(ARGV[1], '^(%d+)-(%d+)$')
  if cm and nm then
    cm, cs, nm, ns = tonumber(cm), tonumber(cs), tonumber(nm), tonumber(ns)
    if cm > nm or (cm == nm and cs >= ns) then
      redis.call('EXPIRE', KEYS[1], ARGV[2])
      return 0
    end
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1
`;

export interface RecoveryEntry {
  keyId: string;
  /** Re-read the session's result stream after this id ('0' = from the start). */
  from: string;
  /** When an instance last worked on it (epoch ms); stale entries are adopted by others. */
  at: number;
}

/**
 * What the archive keeps in Redis so that any gateway can finish another's work:
 * - per session, the last result-stream id whose results are in the database (the cursor);
 * - one hash of sessions whose results must be re-read from their stream (after an outage);
 * - tombstones of sessions deleted on request, so nothing re-archives them.
 */
@Injectable()
export class ArchiveStateStore {
  constructor(
    private readonly client: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Cursors and tombstones outlive the session's result stream (which expires after the TTL). */
  private get ttlSeconds(): number {
    return this.config.gateway.sessionTtlSeconds * 2;
  }

  private cursorKey(sessionId: string): string {
    return this.client.keys.archiveCursor(sessionId);
  }

  private tombstoneKey(sessionId: string): string {
    return this.client.keys.archiveDeleted(sessionId);
  }

  private get recoverKey(): string {
    return this.client.keys.archiveRecover();
  }

  async cursor(sessionId: string): Promise<string | undefined> {
    return (await this.client.redis.get(this.cursorKey(sessionId))) ?? undefined;
  }

  async advanceCursors(cursors: ReadonlyMap<string, string>): Promise<void> {
    if (cursors.size === 0) return;
    const pipeline = this.client.redis.pipeline();
    for (const [sessionId, id] of cursors) {
      pipeline.eval(ADVANCE_CURSOR, 1, this.cursorKey(sessionId), id, this.ttlSeconds);
    }
    await pipeline.exec();
  }

  async saveRecovery(entries: ReadonlyMap<string, RecoveryEntry>): Promise<void> {
    if (entries.size === 0) return;
    const fields: string[] = [];
    for (const [sessionId, entry] of entries) fields.push(sessionId, JSON.stringify(entry));
    await this.client.redis.hset(this.recoverKey, ...fields);
  }

  async recoveries(): Promise<Map<string, RecoveryEntry>> {
    const all = await this.client.redis.hgetall(this.recoverKey);
    const entries = new Map<string, RecoveryEntry>();
    for (const [sessionId, json] of Object.entries(all)) {
      try {
        entries.set(sessionId, JSON.parse(json) as RecoveryEntry);
      } catch {
        await this.client.redis.hdel(this.recoverKey, sessionId);
      }
    }
    return entries;
  }

  async finishRecovery(sessionId: string): Promise<void> {
    await this.client.redis.hdel(this.recoverKey, sessionId);
  }

  async markDeleted(sessionId: string): Promise<void> {
    await this.client.redis
      .multi()
      .set(this.tombstoneKey(sessionId), '1', 'EX', this.ttlSeconds)
      .hdel(this.recoverKey, sessionId)
      .del(this.cursorKey(sessionId))
      .exec();
  }

  /** The subset of sessions that were deleted on request. */
  async deletedAmong(sessionIds: readonly string[]): Promise<Set<string>> {
    if (sessionIds.length === 0) return new Set();
    const flags = await this.client.redis.mget(
      ...sessionIds.map((sessionId) => this.tombstoneKey(sessionId)),
    );
    return new Set(sessionIds.filter((_, index) => flags[index] !== null));
  }

  async streamExists(streamKey: string): Promise<boolean> {
    return (await this.client.redis.exists(streamKey)) === 1;
  }
}
