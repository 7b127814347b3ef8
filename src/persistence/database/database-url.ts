/** Where the store of record lives, parsed from DATABASE_URL. */
export type DatabaseTarget =
  | { dialect: 'sqlite'; file: string }
  | { dialect: 'postgres'; connectionString: string; schema: string | undefined };

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * `sqlite:<path>` or `sqlite::memory:`; `postgres://user@host:port/db[?schema=name]`. The schema
 * parameter is ours (not libpq's): it becomes the search_path, so several deployments or test
 * runs can share one database without colliding.
 */
export function parseDatabaseUrl(value: string): DatabaseTarget {
  if (value.startsWith('sqlite:')) {
    const file = value.slice('sqlite:'.length);
    if (!file) throw new Error('DATABASE_URL sqlite: needs a file path or :memory:');
    return { dialect: 'sqlite', file };
  }
  const url = new URL(value);
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`DATABASE_URL protocol ${url.protocol} is not supported`);
  }
  const schema = url.searchParams.get('schema') ?? undefined;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new Error(`DATABASE_URL schema "${schema}" must match ${SCHEMA_NAME.source}`);
  }
  url.searchParams.delete('schema');
  return { dialect: 'postgres', connectionString: url.toString(), schema };
}

/** For logs: no password, no query string. */
export function describeDatabase(target: DatabaseTarget): string {
  if (target.dialect === 'sqlite') return `sqlite ${target.file}`;
  const url = new URL(target.connectionString);
  const schema = target.schema ? ` (schema ${target.schema})` : '';
  return `postgres ${url.hostname}:${url.port || 5432}${url.pathname}${schema}`;
}
