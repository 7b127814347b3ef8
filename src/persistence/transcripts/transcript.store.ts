import { Injectable } from '@nestjs/common';
import { Selectable } from 'kysely';
import { DatabaseService } from '../database/database.service';
import { TranscriptsTable } from '../database/database.types';
import { TranscriptEntry } from './transcript.types';

/** Rows per INSERT: well under SQLite's bound-parameter limit (11 columns each). */
const INSERT_CHUNK = 200;

function toEntry(row: Selectable<TranscriptsTable>): TranscriptEntry {
  return {
    sessionId: row.session_id,
    keyId: row.key_id,
    utteranceId: row.utterance_id,
    seq: Number(row.seq),
    kind: row.kind,
    language: row.language,
    sourceLanguage: row.source_language,
    text: row.text,
    start: row.start_sec === null ? null : Number(row.start_sec),
    end: row.end_sec === null ? null : Number(row.end_sec),
    createdAt: new Date(Number(row.created_at)),
  };
}

@Injectable()
export class TranscriptStore {
  constructor(private readonly database: DatabaseService) {}

  /**
   * Idempotent: a row whose (session, utterance, kind, language) exists is left as it is, so
   * re-reading a result stream after an outage never duplicates lines.
   */
  async insertMany(entries: readonly TranscriptEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.database.db.transaction().execute(async (trx) => {
      for (let i = 0; i < entries.length; i += INSERT_CHUNK) {
        const rows = entries.slice(i, i + INSERT_CHUNK).map((entry) => ({
          session_id: entry.sessionId,
          key_id: entry.keyId,
          utterance_id: entry.utteranceId,
          seq: entry.seq,
          kind: entry.kind,
          language: entry.language,
          source_language: entry.sourceLanguage,
          text: entry.text,
          start_sec: entry.start,
          end_sec: entry.end,
          created_at: entry.createdAt.getTime(),
        }));
        await trx
          .insertInto('transcripts')
          .values(rows)
          .onConflict((conflict) =>
            conflict.columns(['session_id', 'utterance_id', 'kind', 'language']).doNothing(),
          )
          .execute();
      }
    });
  }

  /** Every line of a session: by utterance index, the final before its translations. */
  async findSession(sessionId: string): Promise<TranscriptEntry[]> {
    const rows = await this.database.db
      .selectFrom('transcripts')
      .selectAll()
      .where('session_id', '=', sessionId)
      .orderBy('seq')
      .orderBy('utterance_id')
      .orderBy('kind')
      .orderBy('language')
      .execute();
    return rows.map(toEntry);
  }

  /** The key that owned the session, or undefined when nothing of it is stored. */
  async ownerOf(sessionId: string): Promise<string | undefined> {
    const row = await this.database.db
      .selectFrom('transcripts')
      .select('key_id')
      .where('session_id', '=', sessionId)
      .limit(1)
      .executeTakeFirst();
    return row?.key_id;
  }

  async deleteSession(sessionId: string): Promise<number> {
    const result = await this.database.db
      .deleteFrom('transcripts')
      .where('session_id', '=', sessionId)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Deletes lines archived before `cutoff`; returns how many. */
  async deleteOlderThan(cutoff: Date): Promise<number> {
    const result = await this.database.db
      .deleteFrom('transcripts')
      .where('created_at', '<', cutoff.getTime())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async countAll(): Promise<number> {
    const row = await this.database.db
      .selectFrom('transcripts')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
