import { Injectable, Logger } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { ApiKeyCacheService } from './api-key-cache.service';
import { ApiKeyStore } from './api-key.store';
import {
  API_KEY_SCOPES,
  ApiKeyLimits,
  ApiKeyRecord,
  DEFAULT_API_KEY_SCOPES,
  NO_LIMITS,
  VerifiedApiKey,
} from './api-key.types';

const KEY_PATTERN = /^rtk_[A-Za-z0-9_-]{43}$/;
const PREFIX_LENGTH = 12;

export class ApiKeyInputError extends Error {}

export interface CreateApiKeyInput {
  name: string;
  scopes?: readonly string[];
  limits?: Partial<ApiKeyLimits>;
}

export interface CreatedApiKey {
  record: ApiKeyRecord;
  /** The key itself: shown once, never stored. */
  key: string;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Keys: created with a random secret shown once, stored as a sha256 hash, verified by hash. */
@Injectable()
export class ApiKeyService {
  private readonly logger = new Logger('ApiKeys');

  constructor(
    private readonly store: ApiKeyStore,
    private readonly cache: ApiKeyCacheService,
  ) {}

  /** Redis pub/sub channel carrying the id of every key revoked (close its open sessions). */
  get revokedChannel(): string {
    return this.cache.revokedChannel;
  }

  async create(input: CreateApiKeyInput): Promise<CreatedApiKey> {
    const name = input.name.trim();
    if (!name || name.length > 200) {
      throw new ApiKeyInputError('A key needs a name of 1 to 200 characters');
    }
    const scopes = [...new Set(input.scopes ?? DEFAULT_API_KEY_SCOPES)];
    const unknown = scopes.filter(
      (scope) => !(API_KEY_SCOPES as readonly string[]).includes(scope),
    );
    if (scopes.length === 0 || unknown.length > 0) {
      throw new ApiKeyInputError(
        `Unknown or missing scopes (${unknown.join(', ') || 'none given'}); allowed: ${API_KEY_SCOPES.join(', ')}`,
      );
    }
    const limits = { ...NO_LIMITS, ...input.limits };
    for (const [limit, value] of Object.entries(limits)) {
      if (value !== null && !(Number.isFinite(value) && value > 0)) {
        throw new ApiKeyInputError(`Limit ${limit} must be a positive number`);
      }
    }
    const key = `rtk_${randomBytes(32).toString('base64url')}`;
    const record = await this.store.insert({
      id: `key_${randomBytes(8).toString('hex')}`,
      name,
      prefix: key.slice(0, PREFIX_LENGTH),
      hash: hashApiKey(key),
      scopes,
      limits,
      createdAt: new Date(),
    });
    this.logger.log(`Created API key ${record.id} (${record.name})`);
    return { record, key };
  }

  /**
   * The key's identity, scopes and limits when it is valid, else null. Redis first, then the
   * database. Throws only when the database is needed and unavailable (the caller answers 503).
   */
  async verify(key: string | undefined): Promise<VerifiedApiKey | null> {
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) return null;
    const hash = hashApiKey(key);
    const cached = await this.cache.get(hash);
    if (cached) return cached;
    // A well-formed key that matched nothing a moment ago: no database round trip for guesses.
    if (await this.cache.knownUnknown(hash)) return null;
    const record = await this.store.findActiveByHash(hash);
    if (!record) {
      await this.cache.rememberUnknown(hash);
      return null;
    }
    const verified: VerifiedApiKey = {
      id: record.id,
      name: record.name,
      scopes: record.scopes,
      limits: record.limits,
    };
    await this.cache.set(hash, verified);
    return verified;
  }

  /** The key when Redis's positive cache holds it: no database, no negative-cache write. */
  async cached(key: string): Promise<VerifiedApiKey | null> {
    if (!KEY_PATTERN.test(key)) return null;
    return (await this.cache.get(hashApiKey(key))) ?? null;
  }

  /** True for a key that exists and was revoked (the database; anything not key-shaped: false). */
  async revoked(key: string): Promise<boolean> {
    if (!KEY_PATTERN.test(key)) return false;
    return this.store.revokedByHash(hashApiKey(key));
  }

  /**
   * True while the key exists and is not revoked: the revocation marker / status cache in Redis,
   * the database on a miss (or when Redis is unavailable). Token upgrades and refreshes call it,
   * so a token never outlives its key's revocation, whatever happened to the pub/sub message.
   * Throws only when the database is needed and unavailable.
   */
  async isActive(id: string): Promise<boolean> {
    const cached = await this.cache.status(id);
    if (cached !== undefined) return cached === 'active';
    const record = await this.store.findById(id);
    const active = record !== undefined && record.revokedAt === null;
    await this.cache.setStatus(id, active);
    return active;
  }

  list(includeRevoked = true): Promise<ApiKeyRecord[]> {
    return this.store.list(includeRevoked);
  }

  get(id: string): Promise<ApiKeyRecord | undefined> {
    return this.store.findById(id);
  }

  /** False when no key has this id. Revoking twice is fine. */
  async revoke(id: string): Promise<boolean> {
    const outcome = await this.store.revoke(id, new Date());
    if (!outcome) return false;
    const told = await this.cache.invalidate(outcome.hash, id);
    if (!outcome.alreadyRevoked) {
      this.logger.log(
        `Revoked API key ${id}` +
          (told ? '' : ' (Redis unreachable: cached entry expires on its own)'),
      );
    }
    return true;
  }
}
