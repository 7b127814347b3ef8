import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service';

const INSERT_CHUNK = 500;

export interface UsageIncrement {
  keyId: string;
  hourStart: number;
  audioSeconds: number;
  sessions: number;
}

export interface UsageRow {
  keyId: string;
  hourStart: number;
  audioSeconds: number;
  sessions: number;
}

@Injectable()
export class UsageStore {
  constructor(private readonly database: DatabaseService) {}

  /**
   * Adds to each (key, hour) row, creating it when missing, in one transaction. The increments
   * must be unique per (key, hour) (PostgreSQL refuses to update one row twice in a statement).
   */
  async increment(increments: readonly UsageIncrement[]): Promise<void> {
    if (increments.length === 0) return;
    await this.database.db.transaction().execute(async (trx) => {
      for (let i = 0; i < increments.length; i += INSERT_CHUNK) {
        await trx
          .insertInto('key_usage')
          .values(
            increments.slice(i, i + INSERT_CHUNK).map((item) => ({
              key_id: item.keyId,
              hour_start: item.hourStart,
              audio_seconds: item.audioSeconds,
              sessions: item.sessions,
            })),
          )
          .onConflict((conflict) =>
            conflict.columns(['key_id', 'hour_start']).doUpdateSet((eb) => ({
              audio_seconds: eb('key_usage.audio_seconds', '+', eb.ref('excluded.audio_seconds')),
              sessions: eb('key_usage.sessions', '+', eb.ref('excluded.sessions')),
            })),
          )
          .execute();
      }
    });
  }

  /** Hourly rows in [from, to), oldest first; all keys when keyId is undefined. */
  async hourly(keyId: string | undefined, from: number, to: number): Promise<UsageRow[]> {
    let query = this.database.db
      .selectFrom('key_usage')
      .selectAll()
      .where('hour_start', '>=', from)
      .where('hour_start', '<', to)
      .orderBy('hour_start')
      .orderBy('key_id');
    if (keyId !== undefined) query = query.where('key_id', '=', keyId);
    const rows = await query.execute();
    return rows.map((row) => ({
      keyId: row.key_id,
      hourStart: Number(row.hour_start),
      audioSeconds: Number(row.audio_seconds),
      sessions: Number(row.sessions),
    }));
  }
}
