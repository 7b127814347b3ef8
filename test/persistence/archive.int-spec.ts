import { type INestApplicationContext } from '@nestjs/common';
import { type AppConfig } from 'src/common/config/app-config';
import {
  type FinalResult,
  type InterimResult,
  type ResultMessage,
  type TranslationResult,
} from 'src/contracts/result-messages';
import { ResultStreamService } from 'src/utterance/result-stream.service';
import { TranscriptArchiveService } from 'src/persistence/transcripts/transcript-archive.service';
import { TranscriptStore } from 'src/persistence/transcripts/transcript.store';
import {
  createTestDatabase,
  lockableDatabase,
  persistenceContext,
  pgAdmin,
  type TestDatabase,
} from '../helpers/database';
import { cleanupPrefix, testConfig, waitFor } from '../helpers/test-env';

function final(index: number): FinalResult {
  return {
    type: 'final',
    utteranceId: `u${index}`,
    index,
    text: `sentence ${index}`,
    language: 'en',
    start: index * 2,
    end: index * 2 + 1.5,
    words: [],
    latency: { queueMs: 1, sttMs: 2 },
    worker: 'test',
  };
}

function translation(index: number): TranslationResult {
  return {
    type: 'translation',
    utteranceId: `u${index}`,
    index,
    kind: 'final',
    language: 'es',
    source: 'en',
    text: `frase ${index}`,
    passthrough: false,
    engine: 'apertium',
    latencyMs: 3,
  };
}

function interim(index: number): InterimResult {
  return {
    type: 'interim',
    utteranceId: `u${index}`,
    index,
    revision: 1,
    text: 'sent',
    language: 'en',
    worker: 'test',
  };
}

/** Plays the gateway: results go into the session's stream, are "sent", then archived. */
class Delivery {
  readonly sent: ResultMessage[] = [];
  lastId = '0';

  constructor(
    private readonly results: ResultStreamService,
    private readonly archive: TranscriptArchiveService,
    readonly sessionId: string,
    private readonly keyId: string,
  ) {}

  async deliver(messages: ResultMessage[]): Promise<void> {
    for (const message of messages) {
      const streamId = await this.results.append(this.sessionId, message);
      if (!streamId) throw new Error('append failed');
      this.sent.push(message);
      this.lastId = streamId;
      // Synchronous and never throws, whatever the database is doing.
      const outcome: unknown = this.archive.record({
        sessionId: this.sessionId,
        keyId: this.keyId,
        streamId,
        message,
      });
      expect(outcome).toBeUndefined();
    }
  }
}

function utterances(from: number, to: number): ResultMessage[] {
  const messages: ResultMessage[] = [];
  for (let i = from; i < to; i++) messages.push(interim(i), final(i), translation(i));
  return messages;
}

describe('transcript archive', () => {
  let database: TestDatabase | undefined;
  let config: AppConfig | undefined;
  let app: INestApplicationContext | undefined;
  let role: string | undefined;

  afterEach(async () => {
    await app?.close();
    if (role) {
      await pgAdmin(async (client) => {
        await client.query(`alter role ${role} login`);
      });
    }
    await database?.drop();
    if (role) {
      await pgAdmin(async (client) => {
        await client.query(`drop role if exists ${role}`);
      });
    }
    if (config) await cleanupPrefix(config.redis.prefix);
    app = config = database = role = undefined;
  });

  it('PostgreSQL refuses connections mid-session: delivery goes on, the archive catches up', async () => {
    const lockable = await lockableDatabase();
    role = lockable.role;
    database = lockable.database;
    config = await testConfig({
      DATABASE_URL: database.url,
      ARCHIVE_FLUSH_MS: '50',
      ARCHIVE_BATCH_SIZE: '4',
    });
    app = await persistenceContext(config);
    const archive = app.get(TranscriptArchiveService);
    const delivery = new Delivery(app.get(ResultStreamService), archive, 'sess-pg', 'key_a');
    const archivedCount = (): Promise<number> => lockable.count('sess-pg');

    await delivery.deliver(utterances(0, 3));
    await waitFor(async () => (await archivedCount()) === 6, { what: 'first 6 lines' });

    // The database goes away: no new logins, open connections cut.
    await pgAdmin(async (client) => {
      await client.query(`alter role ${role} nologin`);
      await client.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where usename = $1',
        [role],
      );
    });
    await delivery.deliver(utterances(3, 8));
    expect(delivery.sent).toHaveLength(24);
    await waitFor(() => archive.backlog().recoveringSessions === 1, {
      what: 'the session to switch to recovery',
    });
    expect(archive.backlog().pendingItems).toBe(0);
    await delivery.deliver(utterances(8, 10));
    expect(await archivedCount()).toBe(6);
    expect(await archive.archivedUpTo('sess-pg')).not.toBe(delivery.lastId);

    // It comes back: everything delivered meanwhile is read again from the result stream.
    await lockable.unlock();
    await waitFor(async () => (await archivedCount()) === 20, {
      timeoutMs: 20_000,
      what: 'the archive to catch up',
    });
    await waitFor(() => archive.backlog().recoveringSessions === 0, { what: 'recovery to end' });
    expect(await archive.archivedUpTo('sess-pg')).toBe(delivery.lastId);

    const rows = await app.get(TranscriptStore).findSession('sess-pg');
    expect(rows.filter((r) => r.kind === 'final').map((r) => r.text)).toEqual(
      Array.from({ length: 10 }, (_, i) => `sentence ${i}`),
    );
    expect(rows.filter((r) => r.kind === 'translation').map((r) => r.text)).toEqual(
      Array.from({ length: 10 }, (_, i) => `frase ${i}`),
    );

    // Back to the live path: new results are batched again, not re-read.
    await delivery.deliver(utterances(10, 11));
    await waitFor(async () => (await archivedCount()) === 22, { what: 'live archiving' });
  });

  it('another gateway finishes the recovery of one that stopped during an outage', async () => {
    const lockable = await lockableDatabase();
    role = lockable.role;
    database = lockable.database;
    config = await testConfig({ DATABASE_URL: database.url, ARCHIVE_FLUSH_MS: '50' });
    const first = await persistenceContext(config);
    const firstArchive = first.get(TranscriptArchiveService);
    const delivery = new Delivery(
      first.get(ResultStreamService),
      firstArchive,
      'sess-handover',
      'key_h',
    );
    await delivery.deliver(utterances(0, 2));
    await waitFor(async () => (await lockable.count('sess-handover')) === 4, { what: '4 lines' });
    await lockable.lock();
    await delivery.deliver(utterances(2, 5));
    await waitFor(() => firstArchive.backlog().recoveringSessions === 1, { what: 'recovery' });
    await first.close(); // this gateway goes away with the work unfinished
    await lockable.unlock();
    expect(await lockable.count('sess-handover')).toBe(4);

    app = await persistenceContext(config);
    await waitFor(async () => (await lockable.count('sess-handover')) === 10, {
      timeoutMs: 15_000,
      what: 'the second gateway to adopt and finish the recovery',
    });
    expect(await app.get(TranscriptArchiveService).archivedUpTo('sess-handover')).toBe(
      delivery.lastId,
    );
  });

  it('keeps memory bounded: past ARCHIVE_MAX_PENDING it re-reads the stream instead', async () => {
    database = await createTestDatabase('sqlite');
    config = await testConfig({
      DATABASE_URL: database.url,
      ARCHIVE_FLUSH_MS: '60000',
      ARCHIVE_BATCH_SIZE: '1000',
      ARCHIVE_MAX_PENDING: '5',
    });
    app = await persistenceContext(config);
    const archive = app.get(TranscriptArchiveService);
    const results = app.get(ResultStreamService);
    const a = new Delivery(results, archive, 'sess-a', 'key_a');
    const b = new Delivery(results, archive, 'sess-b', 'key_b');
    await a.deliver(utterances(0, 2)); // 4 archivable items pending
    await b.deliver(utterances(0, 1)); // 6 > 5: both sessions spill to recovery
    expect(archive.backlog()).toEqual({ pendingItems: 0, recoveringSessions: 2 });
    await a.deliver(utterances(2, 6)); // ignored while recovering: the stream has them
    expect(archive.backlog().pendingItems).toBe(0);

    await archive.flush();
    await archive.flush(); // the first pass saw results arrive during recovery
    const store = app.get(TranscriptStore);
    expect((await store.findSession('sess-a')).length).toBe(12);
    expect((await store.findSession('sess-b')).length).toBe(2);
    expect(archive.backlog()).toEqual({ pendingItems: 0, recoveringSessions: 0 });
    expect(await archive.archivedUpTo('sess-a')).toBe(a.lastId);
  });

  it('stores nothing with TRANSCRIPT_RETENTION_DAYS=0', async () => {
    database = await createTestDatabase('sqlite');
    config = await testConfig({
      DATABASE_URL: database.url,
      TRANSCRIPT_RETENTION_DAYS: '0',
      ARCHIVE_BATCH_SIZE: '1',
    });
    app = await persistenceContext(config);
    const archive = app.get(TranscriptArchiveService);
    const delivery = new Delivery(app.get(ResultStreamService), archive, 'sess-0', 'key_a');
    await delivery.deliver(utterances(0, 3));
    await archive.flush();
    expect(await app.get(TranscriptStore).countAll()).toBe(0);
    expect(delivery.sent).toHaveLength(9);
  });
});
