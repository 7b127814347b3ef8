import { sql } from 'kysely';
import { migrateToLatest, openDatabase } from 'src/persistence/database/database.factory';
import { parseDatabaseUrl } from 'src/persistence/database/database-url';
import { MIGRATIONS } from 'src/persistence/database/migrations';
import { createTestDatabase, ENGINES, pgAdmin } from '../helpers/database';

const TABLES = ['api_keys', 'key_usage', 'transcripts'];

describe.each(ENGINES)('migrations on %s', (engine) => {
  it('create every table from an empty database, then have nothing left to apply', async () => {
    const database = await createTestDatabase(engine);
    const target = parseDatabaseUrl(database.url);
    const db = openDatabase(target);
    try {
      const first = await migrateToLatest(db, target);
      expect(first.applied).toEqual(Object.keys(MIGRATIONS));
      expect(first.current).toEqual(Object.keys(MIGRATIONS));

      const tables = (await db.introspection.getTables()).map((table) => table.name);
      for (const table of TABLES) expect(tables).toContain(table);

      const again = await migrateToLatest(db, target);
      expect(again.applied).toEqual([]);
      expect(again.current).toEqual(Object.keys(MIGRATIONS));

      // The schema works: a row goes in and comes back with its types intact.
      await db
        .insertInto('key_usage')
        .values({ key_id: 'k', hour_start: 1_700_000_000_000, audio_seconds: 1.5, sessions: 2 })
        .execute();
      const row = await db.selectFrom('key_usage').selectAll().executeTakeFirstOrThrow();
      expect(row).toEqual({
        key_id: 'k',
        hour_start: 1_700_000_000_000,
        audio_seconds: 1.5,
        sessions: 2,
      });
      await sql`select 1`.execute(db);
    } finally {
      await db.destroy();
      if (engine === 'postgres') {
        // Everything went into this run's schema and nowhere else.
        const inSchema = await pgAdmin(async (client) => {
          const result = await client.query<{ table_name: string }>(
            'select table_name from information_schema.tables where table_schema = $1',
            [database.schema],
          );
          return result.rows.map((r) => r.table_name).sort();
        });
        expect(inSchema).toEqual([...TABLES, 'kysely_migration', 'kysely_migration_lock'].sort());
      }
      await database.drop();
    }
  });
});
