import { type Kysely, type Migration } from 'kysely';

/** api_keys, key_usage (hourly per key) and transcripts (finals and translations). */
export const initialMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('api_keys')
      .addColumn('id', 'varchar(64)', (col) => col.primaryKey())
      .addColumn('name', 'varchar(200)', (col) => col.notNull())
      .addColumn('prefix', 'varchar(32)', (col) => col.notNull())
      .addColumn('hash', 'varchar(64)', (col) => col.notNull().unique())
      .addColumn('scopes', 'text', (col) => col.notNull())
      .addColumn('max_concurrent_sessions', 'integer')
      .addColumn('audio_seconds_per_hour', 'double precision')
      .addColumn('messages_per_second', 'double precision')
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('revoked_at', 'bigint')
      .execute();

    await db.schema
      .createTable('key_usage')
      .addColumn('key_id', 'varchar(64)', (col) => col.notNull())
      .addColumn('hour_start', 'bigint', (col) => col.notNull())
      .addColumn('audio_seconds', 'double precision', (col) => col.notNull().defaultTo(0))
      .addColumn('sessions', 'integer', (col) => col.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('key_usage_pk', ['key_id', 'hour_start'])
      .execute();

    await db.schema
      .createTable('transcripts')
      .addColumn('session_id', 'varchar(128)', (col) => col.notNull())
      .addColumn('key_id', 'varchar(64)', (col) => col.notNull())
      .addColumn('utterance_id', 'varchar(128)', (col) => col.notNull())
      .addColumn('seq', 'integer', (col) => col.notNull())
      .addColumn('kind', 'varchar(16)', (col) => col.notNull())
      .addColumn('language', 'varchar(16)', (col) => col.notNull())
      .addColumn('source_language', 'varchar(16)')
      .addColumn('text', 'text', (col) => col.notNull())
      .addColumn('start_sec', 'double precision')
      .addColumn('end_sec', 'double precision')
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('transcripts_pk', ['session_id', 'utterance_id', 'kind', 'language'])
      .execute();
    await db.schema
      .createIndex('transcripts_created_at_idx')
      .on('transcripts')
      .column('created_at')
      .execute();
    await db.schema
      .createIndex('transcripts_session_seq_idx')
      .on('transcripts')
      .columns(['session_id', 'seq'])
      .execute();
  },
};
