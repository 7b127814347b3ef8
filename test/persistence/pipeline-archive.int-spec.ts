import { QueueService } from 'src/common/queues/queue.service';
import { ApiKeyService, type CreatedApiKey } from 'src/persistence/api-keys/api-key.service';
import { TranscriptArchiveService } from 'src/persistence/transcripts/transcript-archive.service';
import {
  createTestDatabase,
  ENGINES,
  lockableDatabase,
  type TestDatabase,
} from '../helpers/database';
import { type GatewayApp, startGateway, sttDouble } from '../helpers/gateway-app';
import { PHRASE_A, PHRASE_B, PHRASE_C, phrases } from '../helpers/phrases';
import { type SttWorkerDouble } from '../helpers/stt-worker-double';
import { cleanupPrefix, waitFor } from '../helpers/test-env';
import { type Frame, TestClient } from '../helpers/ws-client';

/** One client frame chunk (sendPcm's default): usage must match within this. */
const FRAME_SECONDS = 1600 / 16000;
const SPOKEN = [PHRASE_A, PHRASE_B, PHRASE_C];

interface Segment {
  utteranceId: string;
  text: string;
  translations: Record<string, string>;
}

/** Gateway + real translation role (Apertium); the stt double speaks the phrase it was given. */
async function startPipeline(databaseUrl: string): Promise<{
  gw: GatewayApp;
  stt: SttWorkerDouble;
  admin: CreatedApiKey;
  get(path: string): Promise<Response>;
}> {
  const gw = await startGateway({
    ROLE: 'gateway,translation',
    DATABASE_URL: databaseUrl,
    ARCHIVE_FLUSH_MS: '200',
  });
  const stt = sttDouble(gw, {
    finalText: (job) => SPOKEN[(job.index - 1) % SPOKEN.length],
    translationQueue: gw.running.app.get(QueueService),
  });
  const admin = await gw.running.app
    .get(ApiKeyService, { strict: false })
    .create({ name: 'ops', scopes: ['admin'] });
  const base = `http://127.0.0.1:${gw.config.gateway.port}`;
  const get = (path: string): Promise<Response> =>
    fetch(`${base}${path}`, { headers: { authorization: `Bearer ${admin.key}` } });
  return { gw, stt, admin, get };
}

/** Streams the phrases with targets [es], waits for every final and translation, closes. */
async function streamSession(
  gw: GatewayApp,
  texts: string[],
): Promise<{ client: TestClient; sessionId: string; seconds: number }> {
  const client = await TestClient.connect(`${gw.url}/v1/stream?source=en&targets=es`);
  const audio = phrases(...texts);
  client.sendPcm(audio);
  await client.waitCount('translation', texts.length, 60_000);
  client.sendJson({ type: 'close' });
  await client.next((f) => f.type === 'closed', { what: 'closed', timeoutMs: 60_000 });
  const sessionId = client.of('session')[0].session_id as string;
  return { client, sessionId, seconds: audio.length / 16000 };
}

/** What the client was shown, as transcript segments. */
function received(client: TestClient): { text: string; es: string }[] {
  const translations = new Map<number, string>();
  for (const frame of client.of('translation')) translations.set(frame.seq as number, frame.text);
  return client.of('final').map((final: Frame) => ({
    text: final.text as string,
    es: translations.get(final.seq as number) ?? '',
  }));
}

describe.each(ENGINES)('gateway feeds the transcript archive and usage on %s', (engine) => {
  let database: TestDatabase;
  let pipeline: Awaited<ReturnType<typeof startPipeline>>;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    pipeline = await startPipeline(database.url);
  });

  afterAll(async () => {
    await pipeline.stt.close();
    await pipeline.gw.running.close();
    await database.drop();
    await cleanupPrefix(pipeline.gw.config.redis.prefix);
  });

  it('serves what the client received in every transcript format, and counts the audio', async () => {
    const { client, sessionId, seconds } = await streamSession(pipeline.gw, [PHRASE_A, PHRASE_B]);
    const shown = received(client);
    expect(shown.map((s) => s.text)).toEqual([PHRASE_A, PHRASE_B]);
    // Real Apertium output: Spanish, not the English input.
    for (const line of shown) {
      expect(line.es).not.toBe('');
      expect(line.es).not.toBe(line.text);
    }

    const json = await waitFor(
      async () => {
        const response = await pipeline.get(`/v1/sessions/${sessionId}/transcript?format=json`);
        if (response.status !== 200) return undefined;
        const body = (await response.json()) as { segments: Segment[] };
        return body.segments.filter((s) => s.translations.es).length === 2 ? body : undefined;
      },
      { what: 'the archived transcript', timeoutMs: 15_000 },
    );
    expect(json.segments.map((s) => ({ text: s.text, es: s.translations.es }))).toEqual(shown);
    expect(json.segments.map((s) => s.utteranceId)).toEqual([`${sessionId}:1`, `${sessionId}:2`]);

    const txt = await (
      await pipeline.get(`/v1/sessions/${sessionId}/transcript?format=txt`)
    ).text();
    expect(txt).toBe(`${PHRASE_A}\n${PHRASE_B}\n`);
    const spanish = await (
      await pipeline.get(`/v1/sessions/${sessionId}/transcript?format=txt&language=es`)
    ).text();
    expect(spanish).toBe(shown.map((s) => `${s.es}\n`).join(''));
    const srt = await (
      await pipeline.get(`/v1/sessions/${sessionId}/transcript?format=srt`)
    ).text();
    expect(srt).toMatch(
      new RegExp(
        `^1\\n\\d\\d:\\d\\d:\\d\\d,\\d{3} --> \\d\\d:\\d\\d:\\d\\d,\\d{3}\\n${PHRASE_A}\\n\\n2\\n.+\\n${PHRASE_B}\\n$`,
      ),
    );
    const vtt = await (
      await pipeline.get(`/v1/sessions/${sessionId}/transcript?format=vtt&language=es`)
    ).text();
    expect(vtt.startsWith('WEBVTT\n\n')).toBe(true);
    for (const line of shown) expect(vtt).toContain(`\n${line.es}\n`);

    const usage = (await (await pipeline.get('/v1/usage?keyId=anonymous')).json()) as {
      totals: { audioSeconds: number; sessions: number };
    };
    expect(usage.totals.sessions).toBe(1);
    expect(Math.abs(usage.totals.audioSeconds - seconds)).toBeLessThanOrEqual(FRAME_SECONDS);
  });

  it('files a resumed session once: one session start, its transcript whole, its audio counted', async () => {
    // A resume is only taken by the session's own principal (test/security/hardening.e2e-spec.ts);
    // with authentication off that is the anonymous one.
    const anonymousTotals = async (): Promise<{ sessions: number; audioSeconds: number }> =>
      (
        (await (await pipeline.get('/v1/usage?keyId=anonymous')).json()) as {
          totals: { sessions: number; audioSeconds: number };
        }
      ).totals;
    const sessionsBefore = (await anonymousTotals()).sessions;
    const opened = await TestClient.connect(`${pipeline.gw.url}/v1/stream?source=en&targets=es`);
    const session = await opened.next((f) => f.type === 'session', { what: 'session' });
    opened.ws.terminate();
    await opened.closed;
    await waitFor(async () => (await anonymousTotals()).sessions === sessionsBefore + 1, {
      what: 'the first connection counted as a session start',
    });

    // Resumed by a config frame: the session opened for this connection is dropped, uncounted.
    const client = await TestClient.connect(`${pipeline.gw.url}/v1/stream`);
    await client.next((f) => f.type === 'session', { what: 'first session frame' });
    client.sendJson({ type: 'config', resume: session.resume_token });
    await client.next((f) => f.type === 'session' && f.resumed === true, { what: 'resumed' });
    const audio = phrases(PHRASE_A);
    const audioBefore = (await anonymousTotals()).audioSeconds;
    client.sendPcm(audio);
    await client.waitCount('translation', 1, 60_000);
    const path = `/v1/sessions/${String(session.session_id)}/transcript?format=txt`;
    const txt = await waitFor(
      async () => {
        const response = await pipeline.get(path);
        return response.status === 200 ? response.text() : undefined;
      },
      { what: "the resumed session's transcript", timeoutMs: 15_000 },
    );
    expect(txt).toBe(`${PHRASE_A}\n`);
    await waitFor(
      async () =>
        Math.abs((await anonymousTotals()).audioSeconds - audioBefore - audio.length / 16000) <=
        FRAME_SECONDS,
      { what: 'the streamed audio counted' },
    );
    expect((await anonymousTotals()).sessions).toBe(sessionsBefore + 1);
    client.ws.terminate();
  });
});

describe('gateway archive while PostgreSQL is unreachable', () => {
  it('delivers everything during the outage and archives it once the database returns', async () => {
    const lockable = await lockableDatabase();
    const pipeline = await startPipeline(lockable.database.url);
    const archive = pipeline.gw.running.app.get(TranscriptArchiveService, { strict: false });
    try {
      const first = await TestClient.connect(`${pipeline.gw.url}/v1/stream?source=en&targets=es`);
      const audioA = phrases(PHRASE_A);
      first.sendPcm(audioA);
      await first.waitCount('translation', 1, 60_000);
      const sessionId = first.of('session')[0].session_id as string;
      await waitFor(async () => (await lockable.count(sessionId)) === 2, {
        what: 'the first utterance archived',
        timeoutMs: 15_000,
      });

      await lockable.lock();
      const audioBC = phrases(PHRASE_B, PHRASE_C);
      first.sendPcm(audioBC);
      // Delivery goes on: every final and translation reaches the client.
      await first.waitCount('translation', 3, 60_000);
      expect(first.of('final').map((f) => f.text)).toEqual(SPOKEN);
      first.sendJson({ type: 'close' });
      await first.next((f) => f.type === 'closed', { what: 'closed', timeoutMs: 60_000 });
      await waitFor(() => archive.backlog().recoveringSessions > 0, {
        what: 'the archive to notice the outage',
      });
      expect(await lockable.count(sessionId)).toBe(2);

      await lockable.unlock();
      await waitFor(async () => (await lockable.count(sessionId)) === 6, {
        what: 'the archive to catch up',
        timeoutMs: 20_000,
      });
      const response = await pipeline.get(`/v1/sessions/${sessionId}/transcript?format=json`);
      const body = (await response.json()) as { segments: Segment[] };
      expect(body.segments.map((s) => ({ text: s.text, es: s.translations.es }))).toEqual(
        received(first),
      );
      const usage = (await (await pipeline.get('/v1/usage?keyId=anonymous')).json()) as {
        totals: { audioSeconds: number; sessions: number };
      };
      expect(usage.totals.sessions).toBe(1);
      const seconds = (audioA.length + audioBC.length) / 16000;
      expect(Math.abs(usage.totals.audioSeconds - seconds)).toBeLessThanOrEqual(FRAME_SECONDS);
    } finally {
      await pipeline.stt.close();
      await pipeline.gw.running.close();
      await lockable.unlock();
      await lockable.database.drop();
      await lockable.dropRole();
      await cleanupPrefix(pipeline.gw.config.redis.prefix);
    }
  });
});
