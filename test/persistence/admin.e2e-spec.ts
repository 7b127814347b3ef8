import { type INestApplicationContext } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { type AppConfig } from 'src/common/config/app-config';
import { loadConfig } from 'src/common/config/load-config';
import { TranscriptStore } from 'src/persistence/transcripts/transcript.store';
import { type TranscriptEntry } from 'src/persistence/transcripts/transcript.types';
import { UsageService } from 'src/persistence/usage/usage.service';
import { createTestDatabase, persistenceContext, type TestDatabase } from '../helpers/database';
import { ROOT } from '../helpers/processes';
import { cleanupPrefix, testEnv } from '../helpers/test-env';

interface AdminRun {
  code: number;
  stdout: string;
  stderr: string;
}

function runAdmin(env: Record<string, string>, args: string[]): Promise<AdminRun> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [resolve(ROOT, 'dist/admin/main.js'), ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

function line(sessionId: string, seq: number, createdAt: Date): TranscriptEntry {
  return {
    sessionId,
    keyId: 'key_x',
    utteranceId: `u${seq}`,
    seq,
    kind: 'final',
    language: 'en',
    sourceLanguage: null,
    text: `line ${seq}`,
    start: seq,
    end: seq + 0.5,
    createdAt,
  };
}

describe('operator admin tool (built dist/admin/main.js)', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  let config: AppConfig;
  let app: INestApplicationContext | undefined;

  beforeEach(async () => {
    database = await createTestDatabase('sqlite');
    env = await testEnv({ DATABASE_URL: database.url, LOG_LEVEL: 'error' });
    config = loadConfig(env);
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    await database.drop();
    await cleanupPrefix(config.redis.prefix);
  });

  it('migrates, creates, lists and revokes keys', async () => {
    const migrate = await runAdmin(env, ['db', 'migrate']);
    expect(migrate).toMatchObject({ code: 0, stdout: 'Applied 0001-initial\n' });
    expect((await runAdmin(env, ['db', 'migrate'])).stdout).toBe('Up to date (1 migration(s))\n');

    const created = await runAdmin(env, [
      'keys',
      'create',
      '--name',
      'Studio A',
      '--scopes',
      'stream,admin',
      '--max-sessions',
      '4',
      '--json',
    ]);
    expect(created.code).toBe(0);
    const key = JSON.parse(created.stdout) as { id: string; key: string; scopes: string[] };
    expect(key.key).toMatch(/^rtk_/);
    expect(key.scopes).toEqual(['stream', 'admin']);

    const listed = await runAdmin(env, ['keys', 'list']);
    expect(listed.stdout).toContain(key.id);
    expect(listed.stdout).toContain('Studio A');
    expect(listed.stdout).toContain('sessions=4');
    expect(listed.stdout).not.toContain(key.key);

    expect(await runAdmin(env, ['keys', 'revoke', key.id])).toMatchObject({
      code: 0,
      stdout: `Revoked ${key.id}\n`,
    });
    expect((await runAdmin(env, ['keys', 'list', '--active'])).stdout).toBe('No API keys.\n');
    expect((await runAdmin(env, ['keys', 'revoke', 'key_nope'])).code).toBe(1);
    const bad = await runAdmin(env, ['keys', 'create', '--name', 'x', '--scopes', 'root']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('root');
    expect((await runAdmin(env, ['keys', 'frobnicate'])).code).toBe(2);
  });

  it('reports usage, exports a transcript and purges only old lines', async () => {
    app = await persistenceContext(config);
    const now = Date.now();
    await app
      .get(TranscriptStore)
      .insertMany([
        line('s-old', 0, new Date(now - 20 * 86_400_000)),
        line('s-new', 0, new Date(now)),
        line('s-new', 1, new Date(now)),
      ]);
    const usage = app.get(UsageService);
    usage.recordSessionStart('key_x', now);
    usage.recordAudio('key_x', 42.5, now);
    await usage.flush();

    const report = await runAdmin(env, ['usage', 'report', '--key', 'key_x', '--json']);
    expect(report.code).toBe(0);
    expect(JSON.parse(report.stdout).totals).toEqual({ audioSeconds: 42.5, sessions: 1 });

    const srt = await runAdmin(env, ['transcripts', 'export', 's-new', '--format', 'srt']);
    expect(srt).toMatchObject({
      code: 0,
      stdout:
        '1\n00:00:00,000 --> 00:00:00,500\nline 0\n\n2\n00:00:01,000 --> 00:00:01,500\nline 1\n',
    });
    expect((await runAdmin(env, ['transcripts', 'export', 'nobody'])).code).toBe(1);

    const purge = await runAdmin(env, ['transcripts', 'purge', '--older-than-days', '10']);
    expect(purge.code).toBe(0);
    expect(purge.stdout).toMatch(/^Deleted 1 transcript line/);
    const store = app.get(TranscriptStore);
    expect(await store.findSession('s-old')).toEqual([]);
    expect(await store.findSession('s-new')).toHaveLength(2);

    expect((await runAdmin(env, ['transcripts', 'delete', 's-new'])).stdout).toBe(
      'Deleted 2 line(s) of session s-new\n',
    );
    expect(await store.countAll()).toBe(0);
  });
});
