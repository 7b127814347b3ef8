import { Queue } from 'bullmq';
import { WebSocket } from 'ws';
import { QueueService } from 'src/common/queues/queue.service';
import { QueueName } from 'src/contracts/queue-names';
import { RedisClient } from 'src/common/redis/redis.module';
import { type TranslationJob } from 'src/contracts/job-payloads';
import { ApiKeyStore } from 'src/persistence/api-keys/api-key.store';
import { ApiKeyService } from 'src/persistence/api-keys/api-key.service';
import { TranslationDirectoryService } from 'src/translation/translation-directory.service';
import { jfk, pcmBytes } from '../helpers/audio';
import { type GatewayApp, startGateway } from '../helpers/gateway-app';
import { cleanupPrefix, waitFor } from '../helpers/test-env';
import { closeOf, framesOf, upgrade } from '../helpers/upgrade';

/**
 * Issue 14 (second security round), through a real gateway: real HTTP and WebSocket clients, real
 * Redis, the real SQLite key store. The gateway trusts 127.0.0.1 as a proxy (TRUSTED_PROXIES), so
 * each test names its own client address in X-Forwarded-For and the failure counters of one test
 * never touch another's.
 */
describe('security hardening (issue 14)', () => {
  let gw: GatewayApp;
  let apiKeys: ApiKeyService;
  let key: string;
  const sockets: WebSocket[] = [];
  let nextIp = 1;
  const freshIp = (): string => `198.51.100.${nextIp++}`;

  const base = () => `http://127.0.0.1:${gw.config.gateway.port}`;
  const health = () => `http://127.0.0.1:${gw.config.http.healthPort}`;

  async function token(apiKey: string): Promise<string> {
    const response = await fetch(`${base()}/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { token: string }).token;
  }

  async function opened(url: string, options: Parameters<typeof upgrade>[1] = {}) {
    const outcome = await upgrade(url, options);
    if (!('ws' in outcome)) throw new Error(`expected 101, got ${outcome.status} ${outcome.body}`);
    sockets.push(outcome.ws);
    return outcome.ws;
  }

  function translate(body: unknown, headers: Record<string, string> = {}) {
    return fetch(`${base()}/translate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  }

  const depth = () => gw.running.app.get(QueueService).depth(QueueName.Translation);

  beforeAll(async () => {
    gw = await startGateway({
      AUTH_REQUIRED: 'true',
      JWT_SECRET: 'hardening-e2e-secret-0123456789abcdefghij',
      TRUSTED_PROXIES: '127.0.0.1,::1',
      AUTH_FAILURE_LIMIT: '5',
      TRANSLATE_MAX_ITEMS: '128',
      TRANSLATE_REQUESTS_PER_MINUTE: '4',
      MAX_QUEUE_DEPTH: '6',
      TRANSLATION_TIMEOUT_MS: '3000',
      API_KEY_CACHE_SECONDS: '1',
      TOKEN_TTL_SECONDS: '600',
    });
    apiKeys = gw.running.app.get(ApiKeyService);
    const created = await apiKeys.create({ name: 'hardening' });
    key = created.key;
    // A translation worker's advertised pairs (the directory is what /translate checks).
    await gw.running.app
      .get(TranslationDirectoryService)
      .publish('test-worker', [{ source: 'en', target: 'es' }]);
  });

  afterEach(() => {
    for (const ws of sockets.splice(0)) ws.terminate();
  });

  afterAll(async () => {
    await gw.running.close();
    await cleanupPrefix(gw.config.redis.prefix);
  });

  describe('1. POST /translate', () => {
    it('needs a credential with AUTH_REQUIRED: Bearer API key or the api_key body field', async () => {
      const ip = { 'x-forwarded-for': freshIp() };
      const none = await translate({ q: 'hi', source: 'en', target: 'en' }, ip);
      expect(none.status).toBe(401);
      expect(await none.json()).toEqual({ error: expect.stringContaining('API key') });
      const wrong = await translate(
        { q: 'hi', source: 'en', target: 'en', api_key: `rtk_${'Z'.repeat(43)}` },
        ip,
      );
      expect(wrong.status).toBe(401);
      const other = await apiKeys.create({ name: 'translate-auth' });
      const viaBody = await translate({ q: 'hi', source: 'en', target: 'en', api_key: other.key });
      expect(viaBody.status).toBe(200);
      expect(await viaBody.json()).toEqual({ translatedText: 'hi' });
      const viaHeader = await translate(
        { q: ['a'], source: 'en', target: 'en' },
        { authorization: `Bearer ${other.key}` },
      );
      expect(await viaHeader.json()).toEqual({ translatedText: ['a'] });
    });

    it('caps items per request, answers blank items without jobs, counts the whole batch against the queue', async () => {
      const limited = await apiKeys.create({ name: 'translate-cap' });
      const auth = { authorization: `Bearer ${limited.key}` };
      const before = await depth();
      const tooMany = await translate(
        { q: Array.from({ length: 100_000 }, () => ''), source: 'en', target: 'es' },
        auth,
      );
      expect(tooMany.status).toBe(400);
      expect(await tooMany.json()).toEqual({
        error: 'Invalid request: 100000 texts exceed the limit of 128 per request',
      });
      const blanks = await translate(
        { q: Array.from({ length: 128 }, () => ''), source: 'en', target: 'es' },
        auth,
      );
      expect(blanks.status).toBe(200);
      expect(((await blanks.json()) as { translatedText: string[] }).translatedText).toHaveLength(
        128,
      );
      // Seven jobs would pass MAX_QUEUE_DEPTH=6: refused whole, nothing queued.
      const batch = await translate(
        { q: ['a', 'b', 'c', 'd', 'e', 'f', 'g'], source: 'en', target: 'es' },
        auth,
      );
      expect(batch.status).toBe(503);
      expect(await batch.json()).toEqual({ error: 'Translation queue is full, try again later' });
      expect(await depth()).toBe(before);
    });

    it('queues one job per non-blank text, all answering on one reply list', async () => {
      const caller = await apiKeys.create({ name: 'translate-replies' });
      const prefix = gw.config.redis.prefix;
      const url = new URL(gw.config.redis.url);
      const queue = new Queue<TranslationJob>(QueueName.Translation, {
        connection: { host: url.hostname, port: Number(url.port || 6379) },
        prefix,
      });
      try {
        const answer = translate(
          { q: ['The cat', '', 'The house'], source: 'en', target: 'es' },
          { authorization: `Bearer ${caller.key}` },
        );
        const jobs = await waitFor(
          async () => {
            const found = await queue.getJobs(['prioritized', 'wait']);
            return found.length === 2 ? found : undefined;
          },
          { what: 'two queued jobs' },
        );
        const replyKeys = new Set(jobs.map((job) => job.data.replyKey));
        expect(replyKeys.size).toBe(1);
        expect(jobs.map((job) => job.data.index).sort()).toEqual([0, 2]);
        // Answer as the translation worker does, out of order, on the one list.
        const redis = gw.running.app.get(RedisClient).redis;
        const [replyKey] = [...replyKeys] as string[];
        for (const job of [...jobs].reverse()) {
          await redis.lpush(
            replyKey,
            JSON.stringify({
              ok: true,
              text: `es:${job.data.text}`,
              engine: 't',
              index: job.data.index,
            }),
          );
        }
        const response = await answer;
        expect(await response.json()).toEqual({
          translatedText: ['es:The cat', '', 'es:The house'],
        });
        for (const job of jobs) await job.remove();
      } finally {
        await queue.close();
      }
    });

    it('limits requests per key per minute (429), another key unaffected', async () => {
      const busy = await apiKeys.create({ name: 'translate-rate' });
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const response = await translate(
          { q: 'x', source: 'en', target: 'en' },
          { authorization: `Bearer ${busy.key}` },
        );
        statuses.push(response.status);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 429]);
      const calm = await apiKeys.create({ name: 'translate-calm' });
      expect(
        (
          await translate(
            { q: 'x', source: 'en', target: 'en' },
            { authorization: `Bearer ${calm.key}` },
          )
        ).status,
      ).toBe(200);
    });
  });

  describe('3 and 10. failure limits behind a trusted proxy', () => {
    it('counts failures per client address from X-Forwarded-For; a valid credential is never refused', async () => {
      const attacker = freshIp();
      const bystander = freshIp();
      const bogus = { authorization: `Bearer rtk_${'B'.repeat(43)}` };
      const seen: number[] = [];
      for (let i = 0; i < 8; i++) {
        const outcome = await upgrade(gw.url, {
          headers: { ...bogus, 'x-forwarded-for': attacker },
        });
        seen.push(outcome.status);
      }
      expect(seen.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(seen.slice(5)).toEqual([429, 429, 429]);
      // The same address with a valid key still connects (the counter limits failures only) once
      // the key is in the positive cache (issue 24: over the limit, uncached keys are not looked up)...
      await fetch(`${base()}/v1/usage`, { headers: { authorization: `Bearer ${key}` } });
      await opened(gw.url, {
        headers: { authorization: `Bearer ${key}`, 'x-forwarded-for': attacker },
      });
      // ... and another client behind the same proxy is not affected at all.
      const other = await upgrade(gw.url, {
        headers: { authorization: `Bearer rtk_${'C'.repeat(43)}`, 'x-forwarded-for': bystander },
      });
      expect(other.status).toBe(401);
    });

    it('the HTTP API has the same limiter, and valid keys pass it', async () => {
      const ip = freshIp();
      const seen: number[] = [];
      for (let i = 0; i < 7; i++) {
        const response = await fetch(`${base()}/v1/usage`, {
          headers: { authorization: `Bearer rtk_${'D'.repeat(42)}${i}`, 'x-forwarded-for': ip },
        });
        seen.push(response.status);
      }
      expect(seen).toEqual([401, 401, 401, 401, 401, 429, 429]);
      await fetch(`${base()}/v1/usage`, { headers: { authorization: `Bearer ${key}` } });
      const valid = await fetch(`${base()}/v1/usage`, {
        headers: { authorization: `Bearer ${key}`, 'x-forwarded-for': ip },
      });
      expect(valid.status).toBe(200);
    });

    it('unknown well-formed keys reach the database once (negative cache)', async () => {
      const store = gw.running.app.get(ApiKeyStore);
      const lookups = jest.spyOn(store, 'findActiveByHash');
      try {
        const unknown = `rtk_${'E'.repeat(43)}`;
        for (let i = 0; i < 3; i++) {
          const response = await fetch(`${base()}/v1/usage`, {
            headers: { authorization: `Bearer ${unknown}`, 'x-forwarded-for': freshIp() },
          });
          expect(response.status).toBe(401);
        }
        expect(lookups).toHaveBeenCalledTimes(1);
      } finally {
        lookups.mockRestore();
      }
    });
  });

  describe('4. revocation is checked, not only heard', () => {
    it('a key revoked in the database without any message: refresh closes the session, its tokens stop working', async () => {
      const victim = await apiKeys.create({ name: 'revoked-quietly' });
      const spare = await token(victim.key);
      const ws = await opened(gw.url, { protocols: ['rt', `bearer.${await token(victim.key)}`] });
      const frames = framesOf(ws);
      await waitFor(() => frames.find((f) => f.type === 'session'), { what: 'session frame' });
      // As when Redis is down during the revocation: the database knows, no message was sent.
      await gw.running.app.get(ApiKeyStore).revoke(victim.record.id, new Date());
      await new Promise((resolve) => setTimeout(resolve, 1200)); // API_KEY_CACHE_SECONDS=1
      const closed = closeOf(ws);
      ws.send(JSON.stringify({ type: 'refresh' }));
      expect((await closed).code).toBe(1008);
      expect(frames.filter((f) => f.type === 'token')).toEqual([]);
      const refused = await upgrade(gw.url, { protocols: ['rt', `bearer.${spare}`] });
      expect(refused.status).toBe(401);
    });

    it('revocation markers live at least as long as the longest token', async () => {
      const revoked = await apiKeys.create({ name: 'marker' });
      await apiKeys.revoke(revoked.record.id);
      const redis = gw.running.app.get(RedisClient);
      const ttl = await redis.redis.ttl(redis.keys.apiKeyStatus(revoked.record.id));
      expect(ttl).toBeGreaterThanOrEqual(gw.config.security.tokenTtlSeconds);
    });
  });

  describe('5. resume', () => {
    it("refuses another key's resume token (as unknown) and malformed ones before Redis", async () => {
      const owner = await opened(gw.url, { headers: { authorization: `Bearer ${key}` } });
      const frames = framesOf(owner);
      const session = await waitFor(() => frames.find((f) => f.type === 'session'), {
        what: 'session frame',
      });
      const thief = await apiKeys.create({ name: 'thief' });
      const stolen = await opened(`${gw.url}/?resume=${String(session.resume_token)}`, {
        headers: { authorization: `Bearer ${thief.key}` },
      });
      const refusal = stolen.readyState === WebSocket.CLOSED ? undefined : await closeOf(stolen);
      expect(refusal).toEqual({ code: 4003, reason: 'unknown or expired resume token' });
      expect(owner.readyState).toBe(WebSocket.OPEN);
      for (const bad of ['..%2F..%2Fx.y', `${'a'.repeat(36)}.${'b'.repeat(32)}`, '*']) {
        const ws = await opened(`${gw.url}/?resume=${bad}`, {
          headers: { authorization: `Bearer ${key}` },
        });
        expect((await closeOf(ws)).code).toBe(4003);
      }
      // The owner itself resumes fine.
      owner.terminate();
      const again = await opened(`${gw.url}/?resume=${String(session.resume_token)}`, {
        headers: { authorization: `Bearer ${key}` },
      });
      const againFrames = framesOf(again);
      await waitFor(() => againFrames.find((f) => f.type === 'session' && f.resumed === true), {
        what: 'resumed session',
      });
    });
  });

  describe('6. no credentials in URLs', () => {
    it('API keys are refused in ?token=; session tokens in the subprotocol are not echoed', async () => {
      const inUrl = await upgrade(`${gw.url}/?token=${key}`, {
        headers: { 'x-forwarded-for': freshIp() },
      });
      expect(inUrl.status).toBe(401);
      expect('body' in inUrl && inUrl.body).toContain('not accepted in the URL');
      const outcome = await upgrade(gw.url, { protocols: ['rt', `bearer.${await token(key)}`] });
      expect(outcome.status).toBe(101);
      if ('ws' in outcome) {
        sockets.push(outcome.ws);
        expect(outcome.protocol).toBe('rt');
      }
      const info = await fetch(`${base()}/v1/tokens`);
      expect(await info.json()).toEqual({ auth_required: true, tokens: true });
    });
  });

  describe('7. metrics and readiness only on HEALTH_PORT', () => {
    it('the public port answers a bare liveness and 404 for the rest', async () => {
      expect((await fetch(`${base()}/metrics`)).status).toBe(404);
      expect((await fetch(`${base()}/health/ready`)).status).toBe(404);
      const bare = await fetch(`${base()}/health`);
      expect(bare.status).toBe(200);
      expect(await bare.json()).toEqual({ status: 'ok' });
      expect((await fetch(`${base()}/health/live`)).status).toBe(200);
      expect((await fetch(`${health()}/metrics`)).status).toBe(200);
      expect((await fetch(`${health()}/health/ready`)).status).toBe(200);
    });
  });

  describe('8. the transcripts scope', () => {
    it('a stream-only key cannot read or delete transcripts or read usage', async () => {
      const streamOnly = await apiKeys.create({ name: 'stream-only', scopes: ['stream'] });
      const auth = { authorization: `Bearer ${streamOnly.key}` };
      const transcript = await fetch(`${base()}/v1/sessions/s1/transcript`, { headers: auth });
      expect(transcript.status).toBe(403);
      expect(await transcript.json()).toMatchObject({
        message: expect.stringContaining('transcripts'),
      });
      expect(
        (await fetch(`${base()}/v1/sessions/s1`, { method: 'DELETE', headers: auth })).status,
      ).toBe(403);
      expect((await fetch(`${base()}/v1/usage`, { headers: auth })).status).toBe(403);
      expect(
        (await fetch(`${base()}/v1/usage`, { headers: { authorization: `Bearer ${key}` } })).status,
      ).toBe(200);
    });
  });

  describe('9. audio before the session opens', () => {
    it("is charged in the session's own format (16 kHz PCM16), so the quota sees all of it", async () => {
      const limited = await apiKeys.create({
        name: 'early-audio',
        limits: { audioSecondsPerHour: 2 },
      });
      const ws = await opened(`${gw.url}/?sample_rate=16000`, {
        headers: { authorization: `Bearer ${limited.key}` },
      });
      const closed = closeOf(ws);
      // Three seconds sent at once, before the session frame can arrive.
      const speech = jfk().subarray(0, 16000 * 3);
      for (let i = 0; i < speech.length; i += 1600) ws.send(pcmBytes(speech.subarray(i, i + 1600)));
      const outcome = await Promise.race([
        closed,
        new Promise<{ code: number }>((resolve) => setTimeout(() => resolve({ code: 0 }), 5000)),
      ]);
      expect(outcome.code).toBe(4103);
    });
  });
});
