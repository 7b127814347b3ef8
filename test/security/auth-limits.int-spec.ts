import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createLogger, startApp } from 'src/bootstrap';
import { ApiKeyService } from 'src/persistence/api-keys/api-key.service';
import { type GatewayApp, startGateway } from '../helpers/gateway-app';
import { cleanupPrefix, REDIS_URL, testConfig, waitFor } from '../helpers/test-env';
import { closeOf, upgrade } from '../helpers/upgrade';

const randomKey = (): string => `rtk_${randomBytes(32).toString('base64url')}`;

async function negativeCacheEntries(prefix: string): Promise<number> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    let count = 0;
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:apikey:*:unknown`);
      cursor = next;
      count += keys.length;
    } while (cursor !== '0');
    return count;
  } finally {
    redis.disconnect();
  }
}

/**
 * Issue 24 item 12 and "one convention the other way", through real gateways, Redis and the
 * SQLite key store: an address over the failure limit gets no key lookup at all (429 before the
 * database and the negative cache), and with AUTH_REQUIRED=false a key nobody issued is served as
 * anonymous (logged once), a known key is still its owner's and a revoked one is refused.
 */
describe('authentication limits (issue 24)', () => {
  describe('item 12: over the failure limit, no lookup', () => {
    let gw: GatewayApp;
    let apiKeys: ApiKeyService;

    beforeAll(async () => {
      gw = await startGateway({
        AUTH_REQUIRED: 'true',
        JWT_SECRET: 'auth-limits-e2e-secret-0123456789abcdefghij',
        TRUSTED_PROXIES: '127.0.0.1,::1',
        AUTH_FAILURE_LIMIT: '3',
      });
      apiKeys = gw.running.app.get(ApiKeyService);
    });

    afterAll(async () => {
      await gw.running.close();
      await cleanupPrefix(gw.config.redis.prefix);
    });

    it('answers 429 to new keys from that address without a database or Redis write; a cached valid key still passes', async () => {
      const ip = { 'x-forwarded-for': '198.51.100.200' };
      const attempt = (key: string) =>
        upgrade(gw.url, { headers: { ...ip, authorization: `Bearer ${key}` } });
      for (let i = 0; i < 3; i++) expect((await attempt(randomKey())).status).toBe(401);
      expect(await negativeCacheEntries(gw.config.redis.prefix)).toBe(3);
      for (let i = 0; i < 20; i++) expect((await attempt(randomKey())).status).toBe(429);
      // Nothing was looked up for those 20: no negative-cache entry for any of them.
      expect(await negativeCacheEntries(gw.config.redis.prefix)).toBe(3);

      const valid = await apiKeys.create({ name: 'cached' });
      // Verified once from elsewhere, it is in the positive cache...
      const elsewhere = await upgrade(gw.url, {
        headers: { 'x-forwarded-for': '198.51.100.201', authorization: `Bearer ${valid.key}` },
      });
      expect(elsewhere.status).toBe(101);
      if ('ws' in elsewhere) elsewhere.ws.terminate();
      // ...so the address over the limit still gets in with it.
      const outcome = await attempt(valid.key);
      expect(outcome.status).toBe(101);
      if ('ws' in outcome) outcome.ws.terminate();
    });
  });

  describe('AUTH_REQUIRED=false: a key nobody issued is anonymous', () => {
    let gw: GatewayApp;
    let apiKeys: ApiKeyService;
    const lines: string[] = [];

    beforeAll(async () => {
      const config = await testConfig({ ROLE: 'gateway', AUTH_REQUIRED: 'false' });
      const running = await startApp(
        config,
        createLogger(config, (line) => lines.push(line)),
      );
      gw = { config, running, url: `ws://127.0.0.1:${config.gateway.port}` };
      await waitFor(
        async () => (await fetch(`http://127.0.0.1:${config.http.healthPort}/health/ready`)).ok,
        { what: 'gateway ready', timeoutMs: 20_000 },
      );
      apiKeys = gw.running.app.get(ApiKeyService);
    });

    afterAll(async () => {
      await gw.running.close();
      await cleanupPrefix(gw.config.redis.prefix);
    });

    it('serves the OpenAI SDK (Bearer sk-local), Deepgram (Token ...) and a random rtk_ key as anonymous, logged once per key', async () => {
      const cases: [string, Record<string, string>, string[]?][] = [
        ['/v1/stream', { authorization: 'Bearer sk-local' }],
        ['/v1/stream', { authorization: 'Bearer sk-local' }],
        ['/v1/listen?encoding=linear16&sample_rate=16000', { authorization: 'Token dg-anything' }],
        ['/v1/stream', { authorization: `Bearer ${randomKey()}` }],
        ['/v1/realtime?intent=transcription', {}, ['realtime', 'openai-insecure-api-key.sk-local']],
      ];
      for (const [path, headers, protocols] of cases) {
        const outcome = await upgrade(`${gw.url}${path}`, { headers, protocols });
        expect(outcome.status).toBe(101);
        if ('ws' in outcome) outcome.ws.terminate();
      }
      const translated = await fetch(`http://127.0.0.1:${gw.config.gateway.port}/translate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-local' },
        body: JSON.stringify({ q: 'hi', source: 'en', target: 'en' }),
      });
      expect(translated.status).toBe(200);
      const logged = lines.filter((line) => line.includes('served as anonymous'));
      // sk-local (three times), dg-anything, the rtk_ key: three keys, three lines.
      expect(logged).toHaveLength(3);
      expect(lines.join('\n')).not.toContain('sk-local');
      expect(lines.join('\n')).not.toContain('dg-anything');
    });

    it('a known key is still its owner (its own limits apply); a revoked one is refused', async () => {
      const owned = await apiKeys.create({ name: 'owned', limits: { maxConcurrentSessions: 1 } });
      const auth = { authorization: `Bearer ${owned.key}` };
      const first = await upgrade(gw.url, { headers: auth });
      if (!('ws' in first)) throw new Error(`expected 101, got ${first.status}`);
      const second = await upgrade(gw.url, { headers: auth });
      if (!('ws' in second)) throw new Error(`expected 101, got ${second.status}`);
      expect((await closeOf(second.ws)).code).toBe(4102);
      first.ws.terminate();

      await apiKeys.revoke(owned.record.id);
      const revoked = await upgrade(gw.url, { headers: auth });
      expect(revoked.status).toBe(401);
    });
  });
});
