import { type Migration, type MigrationProvider } from 'kysely';
import { initialMigration } from './0001-initial.migration';

/**
 * Every migration, in order. Forward-only: never edit or remove an entry that has shipped; add a
 * new one. Names sort lexically, which is the order Kysely applies them in.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initialMigration,
};

/** Static list, so the compiled service carries its migrations (no directory scanning). */
export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(MIGRATIONS),
};
