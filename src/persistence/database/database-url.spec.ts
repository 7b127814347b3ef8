import { describeDatabase, parseDatabaseUrl } from './database-url';

describe('parseDatabaseUrl', () => {
  it('reads SQLite files and memory', () => {
    expect(parseDatabaseUrl('sqlite:data/realtime.db')).toEqual({
      dialect: 'sqlite',
      file: 'data/realtime.db',
    });
    expect(parseDatabaseUrl('sqlite::memory:')).toEqual({ dialect: 'sqlite', file: ':memory:' });
    expect(() => parseDatabaseUrl('sqlite:')).toThrow(/file path/);
  });

  it('reads PostgreSQL URLs and takes our schema parameter out of the connection string', () => {
    const target = parseDatabaseUrl(
      'postgres://u:secret@db:6543/rt?schema=tenant_1&sslmode=require',
    );
    expect(target).toEqual({
      dialect: 'postgres',
      connectionString: 'postgres://u:secret@db:6543/rt?sslmode=require',
      schema: 'tenant_1',
    });
    expect(describeDatabase(target)).toBe('postgres db:6543/rt (schema tenant_1)');
    expect(describeDatabase(target)).not.toContain('secret');
    expect(parseDatabaseUrl('postgresql://h/db')).toMatchObject({ schema: undefined });
  });

  it('refuses schema names that are not plain identifiers, and other engines', () => {
    expect(() => parseDatabaseUrl('postgres://h/db?schema=a;drop')).toThrow(/schema/);
    expect(() => parseDatabaseUrl('mysql://h/db')).toThrow(/mysql:/);
  });
});
