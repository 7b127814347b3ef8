import { type INestApplicationContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import { type AppConfig } from 'src/common/config/app-config';
import {
  ApiKeyInputError,
  ApiKeyService,
  hashApiKey,
} from 'src/persistence/api-keys/api-key.service';
import { DatabaseService } from 'src/persistence/database/database.service';
import { TranscriptRetentionService } from 'src/persistence/transcripts/transcript-retention.service';
import { TranscriptStore } from 'src/persistence/transcripts/transcript.store';
import { type TranscriptEntry } from 'src/persistence/transcripts/transcript.types';
import { UsageService } from 'src/persistence/usage/usage.service';
import {
  createTestDatabase,
  ENGINES,
  persistenceContext,
  type TestDatabase,
} from '../helpers/database';
import { subscribeWhenReady } from 'src/common/redis/subscribe-when-ready';
import { cleanupPrefix, REDIS_URL, testConfig, waitFor } from '../helpers/test-env';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function line(overrides: Partial<TranscriptEntry>): TranscriptEntry {
  return {
    sessionId: 's1',
    keyId: 'key_a',
    utteranceId: 'u1',
    seq: 0,
    kind: 'final',
    language: 'en',
    sourceLanguage: null,
    text: 'hello',
    start: 0,
    end: 1,
    createdAt: new Date(),
    ...overrides,
  };
}

describe.each(ENGINES)('store of record on %s', (engine) => {
  let database: TestDatabase;
  let config: AppConfig;
  let app: INestApplicationContext;

  beforeEach(async () => {
    database = await createTestDatabase(engine);
    config = await testConfig({ DATABASE_URL: database.url, ARCHIVE_FLUSH_MS: '60000' });
    app = await persistenceContext(config);
  });

  afterEach(async () => {
    await app.close();
    await database.drop();
    await cleanupPrefix(config.redis.prefix);
  });

  it('API keys: plaintext once, hash only stored, verify, list, revoke invalidates the cache', async () => {
    const keys = app.get(ApiKeyService);
    const created = await keys.create({
      name: 'studio',
      scopes: ['stream', 'transcripts'],
      limits: { maxConcurrentSessions: 3, audioSecondsPerHour: 3600, messagesPerSecond: 50 },
    });
    expect(created.key).toMatch(/^rtk_[A-Za-z0-9_-]{43}$/);
    expect(created.record.prefix).toBe(created.key.slice(0, 12));

    // Only the hash is in the database.
    const stored = await app
      .get(DatabaseService)
      .db.selectFrom('api_keys')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(stored.hash).toBe(hashApiKey(created.key));
    expect(JSON.stringify(stored)).not.toContain(created.key);

    const verified = await keys.verify(created.key);
    expect(verified).toEqual({
      id: created.record.id,
      name: 'studio',
      scopes: ['stream', 'transcripts'],
      limits: { maxConcurrentSessions: 3, audioSecondsPerHour: 3600, messagesPerSecond: 50 },
    });
    expect(await keys.verify(created.key.slice(0, -1) + 'x')).toBeNull();
    expect(await keys.verify('not a key')).toBeNull();
    expect(await keys.verify(undefined)).toBeNull();

    // The valid key is now cached in Redis under its hash.
    const redis = new Redis(REDIS_URL);
    const subscriber = new Redis(REDIS_URL);
    try {
      const cacheKey = `${config.redis.prefix}:apikey:${hashApiKey(created.key)}`;
      expect(await redis.get(cacheKey)).toContain(created.record.id);

      const revocations: string[] = [];
      expect(keys.revokedChannel).toBe(`${config.redis.prefix}:apikey-revoked`);
      await subscribeWhenReady(subscriber, keys.revokedChannel);
      subscriber.on('message', (_channel, id: string) => revocations.push(id));

      const other = await keys.create({ name: 'other' });
      expect((await keys.list()).map((k) => k.name)).toEqual(['studio', 'other']);

      expect(await keys.revoke(created.record.id)).toBe(true);
      expect(await redis.get(cacheKey)).toBeNull();
      expect(await keys.verify(created.key)).toBeNull();
      expect(await keys.verify(other.key)).not.toBeNull();
      expect(await keys.revoke('key_missing')).toBe(false);
      await waitFor(() => revocations.includes(created.record.id), { what: 'revocation message' });

      const listed = await keys.list();
      expect(listed.find((k) => k.id === created.record.id)?.revokedAt).toBeInstanceOf(Date);
      expect((await keys.list(false)).map((k) => k.name)).toEqual(['other']);
    } finally {
      redis.disconnect();
      subscriber.disconnect();
    }
  });

  it('API keys: rejects bad names, scopes and limits', async () => {
    const keys = app.get(ApiKeyService);
    await expect(keys.create({ name: ' ' })).rejects.toThrow(ApiKeyInputError);
    await expect(keys.create({ name: 'x', scopes: ['root'] })).rejects.toThrow(/root/);
    await expect(keys.create({ name: 'x', limits: { messagesPerSecond: -1 } })).rejects.toThrow(
      /messagesPerSecond/,
    );
    expect(await keys.list()).toEqual([]);
  });

  it('usage: counters add up across flushes, per hour and per day, per key', async () => {
    const usage = app.get(UsageService);
    const day = Date.UTC(2026, 0, 10);
    usage.recordSessionStart('key_a', day + 1000);
    usage.recordAudio('key_a', 1.25, day + 2000);
    usage.recordAudio('key_a', 0.75, day + 3000);
    await usage.flush();
    usage.recordAudio('key_a', 2, day + 4000); // same hour: upsert-increment
    usage.recordSessionStart('key_a', day + HOUR + 5);
    usage.recordAudio('key_a', 3.5, day + HOUR + 10); // next hour
    usage.recordAudio('key_b', 10, day + 5000);
    usage.recordAudio('key_a', -4, day); // ignored
    usage.recordAudio('key_a', Number.NaN, day); // ignored
    usage.recordSessionStart(null, day); // anonymous
    await usage.flush();

    const hourly = await usage.report('key_a', new Date(day), new Date(day + DAY), 'hour');
    expect(hourly.buckets).toEqual([
      { keyId: 'key_a', start: new Date(day).toISOString(), audioSeconds: 4, sessions: 1 },
      { keyId: 'key_a', start: new Date(day + HOUR).toISOString(), audioSeconds: 3.5, sessions: 1 },
    ]);
    expect(hourly.totals).toEqual({ audioSeconds: 7.5, sessions: 2 });

    const daily = await usage.report(undefined, new Date(day), new Date(day + DAY), 'day');
    expect(daily.buckets).toEqual([
      { keyId: 'anonymous', start: new Date(day).toISOString(), audioSeconds: 0, sessions: 1 },
      { keyId: 'key_a', start: new Date(day).toISOString(), audioSeconds: 7.5, sessions: 2 },
      { keyId: 'key_b', start: new Date(day).toISOString(), audioSeconds: 10, sessions: 0 },
    ]);
    // Quota view: stored + not yet written, current hour only.
    const now = Date.now();
    usage.recordAudio('key_q', 30, now);
    await usage.flush();
    usage.recordAudio('key_q', 12, now);
    usage.recordAudio('key_q', 99, now - 2 * HOUR);
    expect(await usage.audioSecondsThisHour('key_q', now)).toBe(42);
    expect(await usage.audioSecondsThisHour('key_none', now)).toBe(0);

    const nextDay = await usage.report(
      'key_a',
      new Date(day + DAY),
      new Date(day + 2 * DAY),
      'day',
    );
    expect(nextDay.buckets).toEqual([]);
  });

  it('transcripts: idempotent insert on (session, utterance, kind, language), ordered read', async () => {
    const store = app.get(TranscriptStore);
    await store.insertMany([
      line({ utteranceId: 'u2', seq: 1, text: 'second', start: 2, end: 3 }),
      line({ utteranceId: 'u1', seq: 0, text: 'first' }),
      line({
        utteranceId: 'u1',
        kind: 'translation',
        language: 'es',
        sourceLanguage: 'en',
        text: 'primero',
        start: null,
        end: null,
      }),
    ]);
    // The same lines again (a re-read after an outage) change nothing.
    await store.insertMany([
      line({ utteranceId: 'u1', seq: 0, text: 'first (again)' }),
      line({ utteranceId: 'u2', seq: 1, text: 'second', start: 2, end: 3 }),
    ]);
    const rows = await store.findSession('s1');
    expect(rows.map((r) => [r.utteranceId, r.kind, r.language, r.text])).toEqual([
      ['u1', 'final', 'en', 'first'],
      ['u1', 'translation', 'es', 'primero'],
      ['u2', 'final', 'en', 'second'],
    ]);
    expect(rows[2]).toMatchObject({ start: 2, end: 3, keyId: 'key_a', seq: 1 });
    expect(await store.ownerOf('s1')).toBe('key_a');
    expect(await store.ownerOf('nope')).toBeUndefined();
    expect(await store.deleteSession('s1')).toBe(3);
    expect(await store.findSession('s1')).toEqual([]);
  });

  it('retention deletes transcripts older than the window and nothing else', async () => {
    const store = app.get(TranscriptStore);
    const keys = app.get(ApiKeyService);
    const usage = app.get(UsageService);
    const now = Date.now();
    const key = await keys.create({ name: 'kept' });
    usage.recordAudio(key.record.id, 5, now - 40 * DAY);
    await usage.flush();
    await store.insertMany([
      line({ sessionId: 'old', createdAt: new Date(now - 31 * DAY) }),
      line({ sessionId: 'old', utteranceId: 'u2', seq: 1, createdAt: new Date(now - 45 * DAY) }),
      line({ sessionId: 'recent', createdAt: new Date(now - 29 * DAY) }),
      line({ sessionId: 'today', createdAt: new Date(now) }),
    ]);

    const retention = app.get(TranscriptRetentionService);
    expect(config.persistence.transcriptRetentionDays).toBe(30);
    expect(await retention.purgeExpired(now)).toBe(2);
    expect(await store.findSession('old')).toEqual([]);
    expect((await store.findSession('recent')).length).toBe(1);
    expect((await store.findSession('today')).length).toBe(1);
    expect(await retention.purgeExpired(now)).toBe(0);
    // Keys and usage are not transcripts: untouched.
    expect(await keys.verify(key.key)).not.toBeNull();
    const report = await usage.report(
      key.record.id,
      new Date(now - 41 * DAY),
      new Date(now),
      'day',
    );
    expect(report.totals.audioSeconds).toBe(5);
  });

  it('the retention job runs by itself after start', async () => {
    const old = new Date(Date.now() - 31 * DAY);
    await app
      .get(TranscriptStore)
      .insertMany([line({ sessionId: 'stale', createdAt: old }), line({ sessionId: 'fresh' })]);
    await app.close();
    app = await persistenceContext(config); // a restarted gateway
    const store = app.get(TranscriptStore);
    await waitFor(async () => (await store.findSession('stale')).length === 0, {
      what: 'the scheduled retention run',
    });
    expect(await store.findSession('fresh')).toHaveLength(1);
  });
});
