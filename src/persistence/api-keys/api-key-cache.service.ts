import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../common/config/app-config';
import { RedisClient } from '../../common/redis/redis.module';
import { VerifiedApiKey } from './api-key.types';

/**
 * Sets the cache entry unless the key was revoked meanwhile (the tombstone), so a verify that
 * raced a revoke cannot re-cache a revoked key. KEYS[1] entry, KEYS[2] tombstone; ARGV ttl, json.
 */
const SET_UNLESS_REVOKED = `
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[1])
return 1
`;

/**
 * Valid keys by hash, in Redis, for the WebSocket upgrade path (no database round trip per
 * connection). Entries live API_KEY_CACHE_SECONDS; revoking deletes the entry at once and
 * publishes the key id on the `apikey-revoked` channel so gateways can close its sessions.
 */
@Injectable()
export class ApiKeyCacheService {
  private readonly logger = new Logger('ApiKeyCache');

  constructor(
    private readonly client: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The channel that carries the id of every revoked key. */
  get revokedChannel(): string {
    return this.client.keys.apiKeyRevokedChannel();
  }

  private entryKey(hash: string): string {
    return this.client.keys.apiKey(hash);
  }

  private tombstoneKey(hash: string): string {
    return this.client.keys.apiKeyRevoked(hash);
  }

  private unknownKey(hash: string): string {
    return this.client.keys.apiKeyUnknown(hash);
  }

  private statusKey(id: string): string {
    return this.client.keys.apiKeyStatus(id);
  }

  /**
   * How long a revocation is remembered by key id: at least as long as the longest token issued
   * for the key can live (after that the database answers; it is never wrong, only slower).
   */
  get revocationMemorySeconds(): number {
    return Math.max(
      300,
      this.config.security.tokenTtlSeconds * 2,
      this.config.persistence.apiKeyCacheSeconds * 2,
    );
  }

  /** True when the hash was looked up recently and matched no active key (negative cache). */
  async knownUnknown(hash: string): Promise<boolean> {
    if (this.config.persistence.apiKeyNegativeCacheSeconds === 0) return false;
    try {
      return (await this.client.redis.exists(this.unknownKey(hash))) === 1;
    } catch (error) {
      this.warn('read', error);
      return false;
    }
  }

  async rememberUnknown(hash: string): Promise<void> {
    const seconds = this.config.persistence.apiKeyNegativeCacheSeconds;
    if (seconds === 0) return;
    try {
      await this.client.redis.set(this.unknownKey(hash), '1', 'EX', seconds);
    } catch (error) {
      this.warn('write', error);
    }
  }

  /** 'active' | 'revoked' as cached by key id, or undefined (miss, or Redis unavailable). */
  async status(id: string): Promise<'active' | 'revoked' | undefined> {
    try {
      const value = await this.client.redis.get(this.statusKey(id));
      return value === '1' ? 'active' : value === '0' ? 'revoked' : undefined;
    } catch (error) {
      this.warn('read', error);
      return undefined;
    }
  }

  /** Caches a key's status; an active status never overwrites a revocation marker. */
  async setStatus(id: string, active: boolean): Promise<void> {
    try {
      if (active) {
        await this.client.redis.set(
          this.statusKey(id),
          '1',
          'EX',
          this.config.persistence.apiKeyCacheSeconds,
          'NX',
        );
      } else {
        await this.client.redis.set(this.statusKey(id), '0', 'EX', this.revocationMemorySeconds);
      }
    } catch (error) {
      this.warn('write', error);
    }
  }

  /** undefined on a miss or when Redis is unavailable (the caller asks the database). */
  async get(hash: string): Promise<VerifiedApiKey | undefined> {
    try {
      const json = await this.client.redis.get(this.entryKey(hash));
      return json ? (JSON.parse(json) as VerifiedApiKey) : undefined;
    } catch (error) {
      this.warn('read', error);
      return undefined;
    }
  }

  async set(hash: string, key: VerifiedApiKey): Promise<void> {
    try {
      await this.client.redis.eval(
        SET_UNLESS_REVOKED,
        2,
        this.entryKey(hash),
        this.tombstoneKey(hash),
        this.config.persistence.apiKeyCacheSeconds,
        JSON.stringify(key),
      );
    } catch (error) {
      this.warn('write', error);
    }
  }

  /** Returns false when Redis could not be told (the entry then expires within its TTL). */
  async invalidate(hash: string, keyId: string): Promise<boolean> {
    try {
      const ttl = this.revocationMemorySeconds;
      await this.client.redis
        .multi()
        .set(this.tombstoneKey(hash), '1', 'EX', ttl)
        .set(this.statusKey(keyId), '0', 'EX', ttl)
        .del(this.entryKey(hash))
        .publish(this.revokedChannel, keyId)
        .exec();
      return true;
    } catch (error) {
      this.warn('invalidate', error);
      return false;
    }
  }

  private warn(what: string, error: unknown): void {
    this.logger.warn(
      `API key cache ${what} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
