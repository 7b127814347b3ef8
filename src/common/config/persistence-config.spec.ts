import { ConfigError } from './config-error';
import { loadConfig } from './load-config';

describe('persistence configuration', () => {
  it('defaults to a SQLite file, migrations on start and 30 days of transcripts', () => {
    expect(loadConfig({}).persistence).toEqual({
      databaseUrl: 'sqlite:data/realtime.db',
      migrateOnStart: true,
      transcriptRetentionDays: 30,
      retentionIntervalMs: 3_600_000,
      archiveBatchSize: 200,
      archiveFlushMs: 1000,
      archiveMaxPending: 10_000,
      apiKeyCacheSeconds: 60,
      apiKeyNegativeCacheSeconds: 30,
    });
  });

  it('accepts PostgreSQL and keeps its password out of logs', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://rt:p%40ss@db:5432/rt' });
    expect(config.persistence.databaseUrl).toBe('postgres://rt:p%40ss@db:5432/rt');
    expect(config.secrets).toContain('p@ss');
    expect(loadConfig({ TRANSCRIPT_RETENTION_DAYS: '0' }).persistence.transcriptRetentionDays).toBe(
      0,
    );
  });

  it.each([
    ['DATABASE_URL', 'mysql://db/rt'],
    ['DATABASE_URL', 'sqlite:'],
    ['DATABASE_URL', 'postgres://'],
    ['TRANSCRIPT_RETENTION_DAYS', '-1'],
    ['ARCHIVE_FLUSH_MS', '5'],
    ['ARCHIVE_BATCH_SIZE', '0'],
    ['DATABASE_MIGRATE_ON_START', 'sometimes'],
  ])('rejects %s=%s naming the variable', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(`Invalid ${variable}=`);
  });
});
