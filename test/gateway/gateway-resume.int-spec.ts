import { Redis } from 'ioredis';
import { concatPcm, espeak, silence } from '../helpers/audio';
import { type GatewayApp, startGateway, sttDouble } from '../helpers/gateway-app';
import { PHRASE_A, PHRASE_B, PHRASE_C, phrases } from '../helpers/phrases';
import { type SttWorkerDouble } from '../helpers/stt-worker-double';
import { cleanupPrefix, REDIS_URL, uniquePrefix, waitFor } from '../helpers/test-env';
import { type Frame, TestClient } from '../helpers/ws-client';

const replayable = (client: TestClient): Frame[] =>
  client.frames.filter((f) => f.type === 'final' || f.type === 'translation');
const describeFrame = (f: Frame): string =>
  f.type === 'final' ? `final ${f.seq}` : `translation ${f.seq} ${f.language}`;

describe('sessions across gateway instances (two apps, one Redis, one prefix)', () => {
  const prefix = uniquePrefix();
  let a: GatewayApp;
  let b: GatewayApp;
  let stt: SttWorkerDouble;
  const slow = new Set<number>();
  const clients: TestClient[] = [];

  beforeAll(async () => {
    a = await startGateway({ QUEUE_PREFIX: prefix, SESSION_TTL_SECONDS: '120' });
    b = await startGateway({ QUEUE_PREFIX: prefix, SESSION_TTL_SECONDS: '120' });
    stt = sttDouble(a, {
      translate: true,
      delayMs: (job) => (job.kind === 'final' && slow.has(job.index) ? 1000 : 0),
    });
  });

  afterEach(() => {
    for (const client of clients.splice(0)) client.ws.terminate();
    slow.clear();
  });

  afterAll(async () => {
    await stt.close();
    await a.running.close();
    await b.running.close();
    await cleanupPrefix(prefix);
  });

  async function connect(app: GatewayApp, query: string): Promise<TestClient> {
    const client = await TestClient.connect(`${app.url}/?${query}`);
    clients.push(client);
    await client.next((f) => f.type === 'session');
    return client;
  }

  it('resumes on another instance: every missed message once, in order, nothing twice', async () => {
    const first = await connect(a, 'targets=es&interim_results=false');
    const { session_id: sessionId, resume_token: token } = first.of('session')[0];
    first.sendPcm(phrases(PHRASE_A, PHRASE_B));
    await first.waitCount('translation', 2);
    expect(replayable(first).map(describeFrame)).toEqual([
      'final 1',
      'translation 1 es',
      'final 2',
      'translation 2 es',
    ]);

    // Two more phrases whose results come late, and a third cut off by the dropped connection.
    slow.add(3).add(4).add(5);
    first.sendPcm(concatPcm(phrases(PHRASE_C, PHRASE_A), silence(0.3), espeak(PHRASE_B)));
    await waitFor(() => stt.finals().filter((j) => j.sessionId === sessionId).length >= 4, {
      what: 'finals 3 and 4 enqueued',
    });
    first.ws.terminate();
    await first.closed;
    await waitFor(() => stt.finals().some((j) => j.sessionId === sessionId && j.index === 5), {
      what: 'the cut-off utterance enqueued after the disconnect',
    });

    const second = await connect(b, `resume=${encodeURIComponent(token)}&last_seq=2`);
    expect(second.of('session')[0]).toMatchObject({
      session_id: sessionId,
      resumed: true,
      config: { targets: ['es'], interim_results: false },
    });
    await second.waitCount('translation', 3);
    expect(replayable(second).map(describeFrame)).toEqual([
      'final 3',
      'translation 3 es',
      'final 4',
      'translation 4 es',
      'final 5',
      'translation 5 es',
    ]);
    expect(second.of('final').map((f) => f.utterance_id)).toEqual(
      [3, 4, 5].map((i) => `${sessionId}:${i}`),
    );

    // The session goes on at the next seq on the new instance.
    second.sendPcm(phrases(PHRASE_C));
    await second.waitCount('final', 4);
    second.sendJson({ type: 'close' });
    expect((await second.closed).code).toBe(1000);
    expect(second.frames.at(-1)).toEqual({ type: 'closed', last_seq: 6 });

    // A client that lost more (it only saw seq 1) gets all of it, back on the first instance.
    const third = await connect(a, `resume=${encodeURIComponent(token)}&last_seq=1`);
    await third.waitCount('translation', 5);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const replay = replayable(third);
    expect(replay.map(describeFrame)).toEqual(
      [2, 3, 4, 5, 6].flatMap((seq) => [`final ${seq}`, `translation ${seq} es`]),
    );
    const ids = replay.map((f) => f.id as string);
    expect(new Set(ids).size).toBe(ids.length);

    // Exactly: last_id names the last frame seen, here the first translation of seq 4.
    third.ws.terminate();
    const fourth = await connect(b, `resume=${encodeURIComponent(token)}&last_id=4-1`);
    await fourth.waitCount('translation', 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(replayable(fourth).map(describeFrame)).toEqual([
      'final 5',
      'translation 5 es',
      'final 6',
      'translation 6 es',
    ]);
  });

  it('hands the session to the newest connection; the old one is closed with 4004', async () => {
    const old = await connect(a, 'interim_results=false');
    const token = old.of('session')[0].resume_token as string;
    const fresh = await connect(b, `resume=${encodeURIComponent(token)}&last_seq=0`);
    fresh.sendPcm(phrases(PHRASE_A));
    await fresh.waitCount('final', 1);
    const closed = await old.closed;
    expect(closed.code).toBe(4004);
    expect(old.of('final')).toHaveLength(0);
    expect(fresh.of('final').map((f) => f.seq)).toEqual([1]);
  });

  it('resumes with a config frame sent before any audio', async () => {
    const first = await connect(a, 'targets=de&interim_results=false');
    const { session_id: sessionId, resume_token: token } = first.of('session')[0];
    first.sendPcm(phrases(PHRASE_A, PHRASE_B));
    await first.waitCount('translation', 2);
    first.ws.terminate();

    const second = await connect(b, '');
    const fresh = second.of('session')[0].session_id as string;
    second.sendJson({ type: 'config', resume: token, last_seq: 1 });
    await second.waitCount('session', 2);
    expect(second.of('session')[1]).toMatchObject({
      session_id: sessionId,
      resumed: true,
      last_seq: 2,
      config: { targets: ['de'] },
    });
    await second.waitCount('translation', 1);
    expect(replayable(second).map(describeFrame)).toEqual(['final 2', 'translation 2 de']);
    // The session opened for the connection was dropped, with its keys.
    const redis = new Redis(REDIS_URL);
    try {
      expect(await redis.keys(`${prefix}:session:${fresh}:*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
    // After audio, a resume in a config frame is refused and the session goes on.
    second.sendPcm(phrases(PHRASE_C));
    second.sendJson({ type: 'config', resume: token });
    await second.next((f) => f.type === 'error' && f.code === 'invalid_resume');
    await second.waitCount('final', 2);
    expect(second.of('final').map((f) => f.seq)).toEqual([2, 3]);
  });

  it('keeps session keys in Redis only for the idle TTL', async () => {
    const client = await connect(a, 'targets=es&interim_results=false');
    const sessionId = client.of('session')[0].session_id as string;
    client.sendPcm(phrases(PHRASE_A));
    await client.waitCount('translation', 1);
    const redis = new Redis(REDIS_URL);
    try {
      const keys = await redis.keys(`${prefix}:session:${sessionId}:*`);
      expect(keys.length).toBeGreaterThanOrEqual(4);
      for (const key of keys) {
        const ttl = await redis.ttl(key);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(120);
      }
    } finally {
      redis.disconnect();
    }
  });
});
