import { Injectable } from '@nestjs/common';
import { Selectable } from 'kysely';
import { DatabaseService } from '../database/database.service';
import { ApiKeysTable } from '../database/database.types';
import { ApiKeyLimits, ApiKeyRecord } from './api-key.types';

type Row = Selectable<ApiKeysTable>;

function toRecord(row: Row): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: JSON.parse(row.scopes) as string[],
    limits: {
      maxConcurrentSessions: row.max_concurrent_sessions,
      audioSecondsPerHour: row.audio_seconds_per_hour,
      messagesPerSecond: row.messages_per_second,
    },
    createdAt: new Date(Number(row.created_at)),
    revokedAt: row.revoked_at === null ? null : new Date(Number(row.revoked_at)),
  };
}

export interface NewApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  hash: string;
  scopes: readonly string[];
  limits: ApiKeyLimits;
  createdAt: Date;
}

@Injectable()
export class ApiKeyStore {
  constructor(private readonly database: DatabaseService) {}

  async insert(key: NewApiKeyRow): Promise<ApiKeyRecord> {
    const row: Row = {
      id: key.id,
      name: key.name,
      prefix: key.prefix,
      hash: key.hash,
      scopes: JSON.stringify(key.scopes),
      max_concurrent_sessions: key.limits.maxConcurrentSessions,
      audio_seconds_per_hour: key.limits.audioSecondsPerHour,
      messages_per_second: key.limits.messagesPerSecond,
      created_at: key.createdAt.getTime(),
      revoked_at: null,
    };
    await this.database.db.insertInto('api_keys').values(row).execute();
    return toRecord(row);
  }

  /** The key with this hash that is not revoked, if any. */
  async findActiveByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.database.db
      .selectFrom('api_keys')
      .selectAll()
      .where('hash', '=', hash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  /** True when a key with this hash exists and was revoked. */
  async revokedByHash(hash: string): Promise<boolean> {
    const row = await this.database.db
      .selectFrom('api_keys')
      .select('revoked_at')
      .where('hash', '=', hash)
      .executeTakeFirst();
    return row !== undefined && row.revoked_at !== null;
  }

  async findById(id: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.database.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  async list(includeRevoked = true): Promise<ApiKeyRecord[]> {
    let query = this.database.db.selectFrom('api_keys').selectAll().orderBy('created_at');
    if (!includeRevoked) query = query.where('revoked_at', 'is', null);
    return (await query.execute()).map(toRecord);
  }

  /** Marks the key revoked; returns its hash (for cache invalidation), or undefined if unknown. */
  async revoke(
    id: string,
    at: Date,
  ): Promise<{ hash: string; alreadyRevoked: boolean } | undefined> {
    const row = await this.database.db
      .selectFrom('api_keys')
      .select(['hash', 'revoked_at'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    if (row.revoked_at !== null) return { hash: row.hash, alreadyRevoked: true };
    await this.database.db
      .updateTable('api_keys')
      .set({ revoked_at: at.getTime() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
    return { hash: row.hash, alreadyRevoked: false };
  }
}
