import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, sql, SqliteDialect } from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Pool, types } from 'pg';
import { type DatabaseSchema, type Db } from './database.types';
import { type DatabaseTarget } from './database-url';
import { migrationProvider } from './migrations';

const PG_INT8_OID = 20;

/** Epoch-ms timestamps and counters are bigint columns; they fit a JS number exactly. */
function pgTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (oid === PG_INT8_OID) return (value: string) => Number(value);
  return types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
}

/** Opens (does not yet query) the database named by the target. */
export function openDatabase(
  target: DatabaseTarget,
  onPoolError: (error: Error) => void = () => undefined,
): Db {
  if (target.dialect === 'sqlite') {
    if (target.file !== ':memory:') mkdirSync(dirname(target.file), { recursive: true });
    const database = new BetterSqlite3(target.file);
    if (target.file !== ':memory:') database.pragma('journal_mode = WAL');
    database.pragma('busy_timeout = 5000');
    return new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database }) });
  }
  const pool = new Pool({
    connectionString: target.connectionString,
    max: 10,
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30_000,
    query_timeout: 15_000,
    options: target.schema ? `-c search_path=${target.schema}` : undefined,
    types: { getTypeParser: pgTypeParser },
  });
  // Without a listener an idle client's error (server gone) would crash the process.
  pool.on('error', onPoolError);
  return new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }) });
}

export interface MigrationOutcome {
  applied: string[];
  /** Every migration the database has now, in order. */
  current: string[];
}

/** Applies every pending migration in order; throws (leaving earlier ones applied) on failure. */
export async function migrateToLatest(db: Db, target: DatabaseTarget): Promise<MigrationOutcome> {
  const schema = target.dialect === 'postgres' ? target.schema : undefined;
  if (schema) {
    // Checked first: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege even when it exists.
    const found = await sql<{ n: number }>`
      select 1 as n from information_schema.schemata where schema_name = ${schema}`.execute(db);
    if (found.rows.length === 0) await sql`create schema ${sql.id(schema)}`.execute(db);
  }
  const migrator = new Migrator({
    db,
    provider: migrationProvider,
    migrationTableSchema: schema,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error');
    const message = error instanceof Error ? error.message : JSON.stringify(error);
    throw new Error(
      `Database migration ${failed ? `"${failed.migrationName}" ` : ''}failed: ${message}`,
    );
  }
  const applied = (results ?? []).map((result) => result.migrationName);
  const current = (await migrator.getMigrations())
    .filter((migration) => migration.executedAt !== undefined)
    .map((migration) => migration.name);
  return { applied, current };
}
