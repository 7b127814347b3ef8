import { WebSocket } from 'ws';
import { ApiKeyService } from 'src/persistence/api-keys/api-key.service';
import { JwtCodec } from 'src/security/jwt';
import { jfk, pcmBytes } from '../helpers/audio';
import { type GatewayApp, startGateway } from '../helpers/gateway-app';
import { cleanupPrefix, waitFor } from '../helpers/test-env';
import { closeOf, framesOf, upgrade } from '../helpers/upgrade';

const SECRET = 'auth-e2e-secret-0123456789abcdefghijkl';
const ORIGIN = 'https://app.example.com';

describe('authenticated upgrades (real HTTP upgrade, Redis, SQLite key store)', () => {
  let gw: GatewayApp;
  let apiKeys: ApiKeyService;
  let key: string;
  let keyId: string;
  const sockets: WebSocket[] = [];

  const base = () => `http://127.0.0.1:${gw.config.gateway.port}`;

  async function token(apiKey = key): Promise<string> {
    const response = await fetch(`${base()}/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { token: string; expires_in: number };
    expect(body.expires_in).toBe(60);
    return body.token;
  }

  async function opened(url: string, options: Parameters<typeof upgrade>[1] = {}) {
    const outcome = await upgrade(url, options);
    if (outcome.status !== 101 || !('ws' in outcome)) {
      throw new Error(
        `expected 101, got ${outcome.status} ${'body' in outcome ? outcome.body : ''}`,
      );
    }
    sockets.push(outcome.ws);
    return outcome;
  }

  async function status(url: string, options: Parameters<typeof upgrade>[1] = {}) {
    const outcome = await upgrade(url, options);
    if ('ws' in outcome) {
      sockets.push(outcome.ws);
      return { status: 101, body: '' };
    }
    return { status: outcome.status, body: outcome.body };
  }

  beforeAll(async () => {
    gw = await startGateway({
      AUTH_REQUIRED: 'true',
      JWT_SECRET: SECRET,
      JWT_KID: 'k1',
      ALLOWED_ORIGINS: `${ORIGIN},http://localhost:3000`,
      AUTH_FAILURE_LIMIT: '40',
      HEARTBEAT_SECONDS: '1',
    });
    apiKeys = gw.running.app.get(ApiKeyService);
    const created = await apiKeys.create({ name: 'e2e', limits: { maxConcurrentSessions: 2 } });
    key = created.key;
    keyId = created.record.id;
  });

  afterEach(() => {
    for (const ws of sockets.splice(0)) ws.terminate();
  });

  afterAll(async () => {
    await gw.running.close();
    await cleanupPrefix(gw.config.redis.prefix);
  });

  it('POST /v1/tokens needs an API key and returns a signed token (no cache)', async () => {
    const none = await fetch(`${base()}/v1/tokens`, { method: 'POST' });
    expect(none.status).toBe(401);
    const bad = await fetch(`${base()}/v1/tokens`, {
      method: 'POST',
      headers: { authorization: 'Bearer rtk_' + 'x'.repeat(43) },
    });
    expect(bad.status).toBe(401);
    const ok = await fetch(`${base()}/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(ok.status).toBe(201);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    const body = (await ok.json()) as { token: string; token_type: string };
    expect(body.token_type).toBe('Bearer');
    const claims = await new JwtCodec(
      [{ kid: 'k1', secret: SECRET }],
      gw.config.security.jwtIssuer,
      gw.config.security.jwtAudience,
    ).verify(body.token);
    expect(claims.sub).toBe(keyId);
  });

  it('opens with a token in ?token=, in the subprotocol (never echoed) or Authorization, and with an API key', async () => {
    const viaQuery = await opened(`${gw.url}/?token=${await token()}`);
    expect(viaQuery.protocol).toBe('');
    const viaProtocol = await opened(gw.url, { protocols: ['rt', `bearer.${await token()}`] });
    expect(viaProtocol.protocol).toBe('rt');
    await opened(gw.url, { headers: { authorization: `Bearer ${await token()}` } });
    for (const ws of sockets.splice(0)) ws.terminate();
    const viaKey = await opened(gw.url, {
      headers: { authorization: `Bearer ${key}`, origin: ORIGIN },
    });
    const frames = framesOf(viaKey.ws);
    await waitFor(() => frames.find((f) => f.type === 'session'), { what: 'session frame' });
  });

  it('refuses missing, expired, forged, foreign-audience, reused and malformed credentials with 401 and no upgrade', async () => {
    const { jwtIssuer, jwtAudience } = gw.config.security;
    const own = new JwtCodec([{ kid: 'k1', secret: SECRET }], jwtIssuer, jwtAudience);
    const expired = (await own.issue(keyId, 'stream', 60, Date.now() - 3600_000)).token;
    const { token: forged } = await new JwtCodec(
      [{ kid: 'k1', secret: 'f'.repeat(40) }],
      jwtIssuer,
      jwtAudience,
    ).issue(keyId, 'stream', 60);
    const { token: foreignAudience } = await new JwtCodec(
      [{ kid: 'k1', secret: SECRET }],
      jwtIssuer,
      'another-service',
    ).issue(keyId, 'stream', 60);
    const used = await token();
    await opened(`${gw.url}/?token=${used}`);

    const cases: [string, string, Parameters<typeof upgrade>[1]][] = [
      ['missing', gw.url, {}],
      ['expired', `${gw.url}/?token=${expired}`, {}],
      ['forged', `${gw.url}/?token=${forged}`, {}],
      ['wrong audience', `${gw.url}/?token=${foreignAudience}`, {}],
      ['reused', `${gw.url}/?token=${used}`, {}],
      ['unknown key', gw.url, { headers: { authorization: `Bearer rtk_${'A'.repeat(43)}` } }],
      [
        'not bearer',
        gw.url,
        { headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } },
      ],
      [
        'two credentials',
        `${gw.url}/?token=${await token()}`,
        { headers: { authorization: `Bearer ${key}` } },
      ],
    ];
    const outcomes = [];
    for (const [name, url, options] of cases)
      outcomes.push([name, (await status(url, options)).status]);
    expect(outcomes).toEqual(cases.map(([name]) => [name, 401]));
    const body = await status(`${gw.url}/?token=${expired}`);
    expect(JSON.parse(body.body)).toMatchObject({ statusCode: 401, message: 'token expired' });
    expect(body.body).not.toContain(expired);
  });

  it('refuses a foreign Origin with 403, accepts listed ones and clients without Origin', async () => {
    expect(
      (
        await status(gw.url, {
          headers: { authorization: `Bearer ${key}`, origin: 'https://evil.example' },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await status(gw.url, {
          headers: { authorization: `Bearer ${key}`, origin: 'http://localhost:3000' },
        })
      ).status,
    ).toBe(101);
    expect((await status(gw.url, { headers: { authorization: `Bearer ${key}` } })).status).toBe(
      101,
    );
  });

  it('refresh over the socket returns a new token frame that opens another session', async () => {
    const { ws } = await opened(`${gw.url}/?token=${await token()}`);
    const frames = framesOf(ws);
    await waitFor(() => frames.find((f) => f.type === 'session'), { what: 'session frame' });
    ws.send(JSON.stringify({ type: 'refresh' }));
    const frame = await waitFor(() => frames.find((f) => f.type === 'token'), {
      what: 'token frame',
    });
    expect(frame).toMatchObject({ token_type: 'Bearer', expires_in: 60 });
    expect(frames.filter((f) => f.type === 'error')).toEqual([]);
    ws.terminate();
    await opened(`${gw.url}/?token=${String(frame.token)}`);
  });

  it('closes a third concurrent session of a key limited to two with 4102; the others stay open', async () => {
    const first = await opened(gw.url, { headers: { authorization: `Bearer ${key}` } });
    const second = await opened(gw.url, { headers: { authorization: `Bearer ${key}` } });
    const third = await opened(gw.url, { headers: { authorization: `Bearer ${key}` } });
    expect((await closeOf(third.ws)).code).toBe(4102);
    expect(first.ws.readyState).toBe(WebSocket.OPEN);
    expect(second.ws.readyState).toBe(WebSocket.OPEN);
    first.ws.terminate();
    await waitFor(
      async () => {
        const next = await upgrade(gw.url, { headers: { authorization: `Bearer ${key}` } });
        if (!('ws' in next)) return false;
        sockets.push(next.ws);
        const closed = await Promise.race([
          closeOf(next.ws),
          new Promise<undefined>((r) => setTimeout(() => r(undefined), 500)),
        ]);
        return closed === undefined;
      },
      { what: 'a slot freed by the closed session', timeoutMs: 10_000, intervalMs: 200 },
    );
  });

  it('closes the open sessions of a revoked key with 1008 and refuses its key and tokens', async () => {
    const other = await apiKeys.create({ name: 'to revoke' });
    const pending = await token(other.key);
    const byKey = await opened(gw.url, { headers: { authorization: `Bearer ${other.key}` } });
    const byToken = await opened(`${gw.url}/?token=${await token(other.key)}`);
    const bystander = await opened(gw.url, { headers: { authorization: `Bearer ${key}` } });
    const closes = [closeOf(byKey.ws), closeOf(byToken.ws)];
    await apiKeys.revoke(other.record.id);
    expect((await Promise.all(closes)).map((c) => c.code)).toEqual([1008, 1008]);
    expect(bystander.ws.readyState).toBe(WebSocket.OPEN);
    expect(
      (await status(gw.url, { headers: { authorization: `Bearer ${other.key}` } })).status,
    ).toBe(401);
    expect((await status(`${gw.url}/?token=${pending}`)).status).toBe(401);
  });

  it('closes a key over its hourly audio quota with 4103, and refuses its next session at once', async () => {
    const limited = await apiKeys.create({ name: 'quota', limits: { audioSecondsPerHour: 2 } });
    const auth = { headers: { authorization: `Bearer ${limited.key}` } };
    const { ws } = await opened(gw.url, auth);
    const frames = framesOf(ws);
    const closed = closeOf(ws);
    await waitFor(() => frames.find((f) => f.type === 'session'), { what: 'session frame' });
    const speech = jfk().subarray(0, 16000 * 3);
    for (let i = 0; i < speech.length && ws.readyState === WebSocket.OPEN; i += 1600) {
      ws.send(pcmBytes(speech.subarray(i, i + 1600)));
    }
    expect((await closed).code).toBe(4103);
    expect(frames.find((f) => f.type === 'error')).toMatchObject({ code: 'quota_exceeded' });
    const next = await opened(gw.url, auth);
    expect((await closeOf(next.ws)).code).toBe(4103);
  });

  it("applies a key's own messages-per-second limit (4029) through a token too", async () => {
    const slow = await apiKeys.create({ name: 'slow', limits: { messagesPerSecond: 5 } });
    const { ws } = await opened(`${gw.url}/?token=${await token(slow.key)}`);
    const frames = framesOf(ws);
    const closed = closeOf(ws);
    await waitFor(() => frames.find((f) => f.type === 'session'), { what: 'session frame' });
    for (let i = 0; i < 20 && ws.readyState === WebSocket.OPEN; i++)
      ws.send('{"type":"keepalive"}');
    expect((await closed).code).toBe(4029);
    expect(frames.find((f) => f.type === 'error')).toMatchObject({ code: 'rate_limited' });
  });

  it('terminates a peer that stops answering pings; a live one stays', async () => {
    const live = await opened(gw.url, { headers: { authorization: `Bearer ${key}` } });
    // Reads everything but never answers a ping, however late the server's heartbeat runs.
    const dead = await opened(gw.url, {
      headers: { authorization: `Bearer ${key}` },
      autoPong: false,
    });
    const closed = closeOf(dead.ws);
    expect((await closed).code).toBe(1006);
    expect(live.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('rate-limits failed authentication per key and per IP with 429 (in Redis, shared by gateways); valid credentials still pass', async () => {
    const bogus = `rtk_${'B'.repeat(43)}`;
    const seen: number[] = [];
    for (let i = 0; i < 45 && !seen.includes(429); i++) {
      seen.push((await status(gw.url, { headers: { authorization: `Bearer ${bogus}` } })).status);
    }
    expect(seen.at(-1)).toBe(429);
    expect(new Set(seen.slice(0, -1))).toEqual(new Set([401]));
    // The IP is over the limit too now, but the counter limits failures only: a valid key still
    // connects (one client behind a shared proxy must not lock everybody out).
    const valid = await upgrade(gw.url, { headers: { authorization: `Bearer ${key}` } });
    expect(valid.status).toBe(101);
    if ('ws' in valid) sockets.push(valid.ws);
    // Another failure from this IP is refused with 429 and Retry-After.
    const limited = await upgrade(gw.url, {
      headers: { authorization: `Bearer rtk_${'Q'.repeat(43)}` },
    });
    expect(limited.status).toBe(429);
    expect('headers' in limited && limited.headers['retry-after']).toBeTruthy();
    // Another gateway instance on the same Redis sees the same counters.
    const other = await startGateway({
      AUTH_REQUIRED: 'true',
      JWT_SECRET: SECRET,
      QUEUE_PREFIX: gw.config.redis.prefix,
      AUTH_FAILURE_LIMIT: '40',
    });
    try {
      expect(
        (await upgrade(other.url, { headers: { authorization: `Bearer ${bogus}` } })).status,
      ).toBe(429);
      const ok = await upgrade(other.url, { headers: { authorization: `Bearer ${key}` } });
      expect(ok.status).toBe(101);
      if ('ws' in ok) ok.ws.terminate();
    } finally {
      await other.running.close();
    }
  });
});
