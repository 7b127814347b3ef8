import { type AppConfig } from 'src/common/config/app-config';
import {
  type FinalResult,
  type ResultMessage,
  type TranslationResult,
} from 'src/contracts/result-messages';
import { ResultStreamService } from 'src/utterance/result-stream.service';
import { type RunningApp, startApp } from 'src/bootstrap';
import { ApiKeyService, type CreatedApiKey } from 'src/persistence/api-keys/api-key.service';
import { TranscriptArchiveService } from 'src/persistence/transcripts/transcript-archive.service';
import { UsageService } from 'src/persistence/usage/usage.service';
import { createLogger } from 'src/bootstrap';
import {
  createTestDatabase,
  ENGINES,
  lockableDatabase,
  type TestDatabase,
} from '../helpers/database';
import { cleanupPrefix, testConfig, waitFor } from '../helpers/test-env';
import { RedisClient } from 'src/common/redis/redis.module';

function final(index: number, text: string, start: number, end: number): FinalResult {
  return {
    type: 'final',
    utteranceId: `utt-${index}`,
    index,
    text,
    language: 'en',
    start,
    end,
    words: [],
    latency: { queueMs: 1, sttMs: 1 },
    worker: 'w',
  };
}

function translation(index: number, text: string): TranslationResult {
  return {
    type: 'translation',
    utteranceId: `utt-${index}`,
    index,
    kind: 'final',
    language: 'es',
    source: 'en',
    text,
    passthrough: false,
    engine: 'apertium',
    latencyMs: 1,
  };
}

describe.each(ENGINES)('transcript and usage HTTP API on %s', (engine) => {
  let database: TestDatabase;
  let config: AppConfig;
  let running: RunningApp;
  let owner: CreatedApiKey;
  let stranger: CreatedApiKey;
  let admin: CreatedApiKey;
  let base: string;

  async function deliver(
    sessionId: string,
    keyId: string,
    messages: ResultMessage[],
  ): Promise<void> {
    const results = running.app.get(ResultStreamService);
    const archive = running.app.get(TranscriptArchiveService, { strict: false });
    for (const message of messages) {
      const streamId = (await results.append(sessionId, message))!;
      archive.record({ sessionId, keyId, streamId, message });
    }
  }

  function get(path: string, key?: string, method = 'GET'): Promise<Response> {
    return fetch(`${base}${path}`, {
      method,
      headers: key ? { authorization: `Bearer ${key}` } : {},
    });
  }

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    config = await testConfig({ ROLE: 'gateway', DATABASE_URL: database.url });
    running = await startApp(
      config,
      createLogger(config, () => undefined),
    );
    base = `http://127.0.0.1:${config.gateway.port}`;
    const redis = running.app.get(RedisClient).redis;
    await waitFor(() => redis.status === 'ready', { what: 'Redis' });
    const keys = running.app.get(ApiKeyService, { strict: false });
    owner = await keys.create({ name: 'owner' });
    stranger = await keys.create({ name: 'stranger' });
    admin = await keys.create({ name: 'ops', scopes: ['admin'] });
    await deliver('sess-1', owner.record.id, [
      final(0, 'Hello world.', 0.48, 1.9),
      translation(0, 'Hola mundo.'),
      final(1, 'How are you?', 2.5, 3.75),
      translation(1, '¿Cómo estás?'),
    ]);
  });

  afterAll(async () => {
    await running.close();
    await database.drop();
    await cleanupPrefix(config.redis.prefix);
  });

  it('answers 401 without a valid key, as JSON', async () => {
    for (const key of [undefined, 'rtk_nope', `${owner.key}x`]) {
      const response = await get('/v1/sessions/sess-1/transcript', key);
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toContain('application/json');
      expect(await response.json()).toMatchObject({ statusCode: 401 });
    }
    const scheme = await fetch(`${base}/v1/usage`, { headers: { authorization: owner.key } });
    expect(scheme.status).toBe(401);
  });

  it('serves the owner the transcript in json, txt, srt and vtt (results not yet flushed)', async () => {
    const json = await get('/v1/sessions/sess-1/transcript', owner.key);
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toContain('application/json');
    expect(await json.json()).toEqual({
      sessionId: 'sess-1',
      language: null,
      segments: [
        {
          utteranceId: 'utt-0',
          index: 0,
          start: 0.48,
          end: 1.9,
          language: 'en',
          text: 'Hello world.',
          translations: { es: 'Hola mundo.' },
        },
        {
          utteranceId: 'utt-1',
          index: 1,
          start: 2.5,
          end: 3.75,
          language: 'en',
          text: 'How are you?',
          translations: { es: '¿Cómo estás?' },
        },
      ],
    });

    const txt = await get('/v1/sessions/sess-1/transcript?format=txt', owner.key);
    expect(txt.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await txt.text()).toBe('Hello world.\nHow are you?\n');

    const srt = await get('/v1/sessions/sess-1/transcript?format=srt', owner.key);
    expect(srt.headers.get('content-type')).toBe('application/x-subrip; charset=utf-8');
    expect(srt.headers.get('content-disposition')).toBe('inline; filename="sess-1.srt"');
    expect(await srt.text()).toBe(
      '1\n00:00:00,480 --> 00:00:01,900\nHello world.\n\n' +
        '2\n00:00:02,500 --> 00:00:03,750\nHow are you?\n',
    );

    const vtt = await get('/v1/sessions/sess-1/transcript?format=vtt&language=es', owner.key);
    expect(vtt.headers.get('content-type')).toBe('text/vtt; charset=utf-8');
    expect(await vtt.text()).toBe(
      'WEBVTT\n\n00:00:00.480 --> 00:00:01.900\nHola mundo.\n\n' +
        '00:00:02.500 --> 00:00:03.750\n¿Cómo estás?\n',
    );
  });

  it('answers 403 to another key, 200 to an admin key, 404 for unknown sessions, 400 for bad input', async () => {
    const other = await get('/v1/sessions/sess-1/transcript', stranger.key);
    expect(other.status).toBe(403);
    expect(await other.json()).toMatchObject({ statusCode: 403 });
    expect((await get('/v1/sessions/sess-1/transcript?format=txt', admin.key)).status).toBe(200);
    const missing = await get('/v1/sessions/nobody/transcript', owner.key);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ statusCode: 404 });
    expect((await get('/v1/sessions/sess-1/transcript?format=docx', owner.key)).status).toBe(400);
    expect((await get('/v1/sessions/sess-1/transcript?language=x<y', owner.key)).status).toBe(400);
    expect((await get('/v1/sessions/bad%20id/transcript', owner.key)).status).toBe(400);
  });

  it('deletes a session for its owner only; later results of it are not archived', async () => {
    await deliver('sess-2', owner.record.id, [final(0, 'Private.', 0, 1)]);
    expect((await get('/v1/sessions/sess-2', stranger.key, 'DELETE')).status).toBe(403);
    const deleted = await get('/v1/sessions/sess-2', owner.key, 'DELETE');
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toEqual({ sessionId: 'sess-2', deletedLines: 1 });
    expect((await get('/v1/sessions/sess-2/transcript', owner.key)).status).toBe(404);
    expect((await get('/v1/sessions/sess-2', owner.key, 'DELETE')).status).toBe(404);

    await deliver('sess-2', owner.record.id, [final(1, 'Still private.', 1, 2)]);
    await running.app.get(TranscriptArchiveService, { strict: false }).flush();
    expect((await get('/v1/sessions/sess-2/transcript', admin.key)).status).toBe(404);
    // Other sessions are untouched.
    expect((await get('/v1/sessions/sess-1/transcript', owner.key)).status).toBe(200);
  });

  it('reports usage per key; only an admin key sees other keys', async () => {
    const usage = running.app.get(UsageService, { strict: false });
    usage.recordSessionStart(owner.record.id);
    usage.recordAudio(owner.record.id, 12.5);
    usage.recordAudio(owner.record.id, 2.5);
    usage.recordAudio(stranger.record.id, 4);

    const mine = await get('/v1/usage?granularity=hour', owner.key);
    expect(mine.status).toBe(200);
    const body = (await mine.json()) as { totals: unknown };
    expect(body).toMatchObject({ keyId: owner.record.id, granularity: 'hour' });
    expect(body.totals).toEqual({ audioSeconds: 15, sessions: 1 });

    expect((await get(`/v1/usage?keyId=${owner.record.id}`, stranger.key)).status).toBe(403);
    const all = (await (await get('/v1/usage?keyId=all', admin.key)).json()) as { totals: unknown };
    expect(all.totals).toEqual({ audioSeconds: 19, sessions: 1 });
    expect((await get('/v1/usage?granularity=week', owner.key)).status).toBe(400);
    expect((await get('/v1/usage?from=yesterday', owner.key)).status).toBe(400);
  });
});

describe('transcript API while PostgreSQL is unreachable', () => {
  it('answers 503 JSON (keys still verified from the Redis cache), then 200 when it returns', async () => {
    const lockable = await lockableDatabase();
    const config = await testConfig({ ROLE: 'gateway', DATABASE_URL: lockable.database.url });
    const running = await startApp(
      config,
      createLogger(config, () => undefined),
    );
    try {
      const redis = running.app.get(RedisClient).redis;
      await waitFor(() => redis.status === 'ready', { what: 'Redis' });
      const base = `http://127.0.0.1:${config.gateway.port}`;
      const key = await running.app.get(ApiKeyService, { strict: false }).create({ name: 'k' });
      const headers = { authorization: `Bearer ${key.key}` };
      // First use caches the key in Redis.
      expect((await fetch(`${base}/v1/usage`, { headers })).status).toBe(200);

      await lockable.lock();
      const down = await fetch(`${base}/v1/sessions/any/transcript`, { headers });
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ statusCode: 503 });
      expect((await fetch(`${base}/v1/usage`, { headers })).status).toBe(503);

      await lockable.unlock();
      await waitFor(async () => (await fetch(`${base}/v1/usage`, { headers })).status === 200, {
        what: 'the API to answer again',
      });
      expect((await fetch(`${base}/v1/sessions/any/transcript`, { headers })).status).toBe(404);
    } finally {
      await running.close();
      await lockable.unlock();
      await lockable.database.drop();
      await lockable.dropRole();
      await cleanupPrefix(config.redis.prefix);
    }
  });
});
