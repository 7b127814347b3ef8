import { Redis } from 'ioredis';
import { RedisKeys } from 'src/common/redis/redis-keys';
import { RoomListenersService } from 'src/rooms/room-listeners.service';
import { type GatewayApp, startGateway } from '../helpers/gateway-app';
import { cleanupPrefix, REDIS_URL, waitFor } from '../helpers/test-env';
import { upgrade } from '../helpers/upgrade';
import { postJson, type RoomFrame, SseListener, WsListener } from './room-clients';

const ENTRIES = 20_000;

/**
 * Issue 24 items 4 and 8: room listeners can not take a gateway's memory or every place of a
 * room. Per gateway: listener connections per token and per client address (IPv6 by /64), a
 * connect rate per address; the transcript so far is replayed a page at a time, the next page
 * only once the listener took the last, and a listener that does not take it is closed (4013)
 * to resume with last_id. Real gateway, Redis and clients.
 */
describe('room listener limits (issue 24, items 4 and 8)', () => {
  let gw: GatewayApp;
  let http: string;
  const open: { terminate(): void }[] = [];
  let nextIp = 1;
  const freshIp = (): string => `203.0.113.${nextIp++}`;

  beforeAll(async () => {
    gw = await startGateway({
      TRUSTED_PROXIES: '127.0.0.1,::1',
      ROOM_MAX_LISTENERS_PER_TOKEN: '2',
      ROOM_MAX_LISTENERS_PER_ADDRESS: '3',
      ROOM_LISTENER_CONNECTS_PER_MINUTE: '6',
      ROOM_LISTENER_BUFFER_BYTES: String(64 * 1024),
      ROOM_JOINS_PER_MINUTE: '1000',
    });
    http = `http://127.0.0.1:${gw.config.gateway.port}`;
  });

  afterEach(() => {
    for (const socket of open.splice(0)) socket.terminate();
  });

  afterAll(async () => {
    await gw.running.close();
    await cleanupPrefix(gw.config.redis.prefix);
  });

  async function room(): Promise<string> {
    const created = await postJson(`${http}/v1/rooms`, {});
    return String(created.body.room_id);
  }

  async function token(roomId: string): Promise<string> {
    const joined = await postJson(`${http}/v1/rooms/join`, { room: roomId });
    return String(joined.body.token);
  }

  async function listen(roomId: string, listenerToken: string, ip: string, lastId?: string) {
    const query = lastId ? `?last_id=${lastId}` : '';
    const outcome = await upgrade(`${gw.url}/v1/rooms/${roomId}/listen${query}`, {
      protocols: ['rt', `bearer.${listenerToken}`],
      headers: { 'x-forwarded-for': ip },
    });
    if ('ws' in outcome) open.push(outcome.ws);
    return outcome;
  }

  const bodyCode = (outcome: Awaited<ReturnType<typeof listen>>) =>
    'body' in outcome ? (JSON.parse(outcome.body) as { code: string }).code : 'open';

  it('one listener token holds at most ROOM_MAX_LISTENERS_PER_TOKEN connections; a closed one frees its place', async () => {
    const id = await room();
    const shared = await token(id);
    const first = await listen(id, shared, freshIp());
    expect((await listen(id, shared, freshIp())).status).toBe(101);
    const third = await listen(id, shared, freshIp());
    expect(third.status).toBe(429);
    expect(bodyCode(third)).toBe('token_full');
    // Another token (another person who joined) still gets in.
    expect((await listen(id, await token(id), freshIp())).status).toBe(101);
    if ('ws' in first) first.ws.close();
    await waitFor(async () => (await listen(id, shared, freshIp())).status === 101, {
      what: 'the freed place',
    });
  });

  it('one address (an IPv6 /64) holds at most ROOM_MAX_LISTENERS_PER_ADDRESS, over WebSocket and SSE', async () => {
    const id = await room();
    const tokens = [await token(id), await token(id), await token(id)];
    const ws1 = await listen(id, tokens[0], '2001:db8:1:2::10');
    const ws2 = await listen(id, tokens[1], '2001:db8:1:2:ffff::20');
    expect([ws1.status, ws2.status]).toEqual([101, 101]);
    const sse = new SseListener({ base: http, roomId: id, token: tokens[2], language: 'original' });
    open.push({ terminate: () => sse.close() });
    // The SSE listener comes from the TCP peer 127.0.0.1 (no X-Forwarded-For): another address.
    expect(await sse.opened).toBe(200);
    const fourth = await listen(id, tokens[2], '2001:db8:1:2:abcd::1');
    expect(await listen(id, tokens[2], '2001:db8:1:2:abcd::2')).toMatchObject({ status: 429 });
    expect(fourth.status).toBe(101);
    expect(bodyCode(await listen(id, await token(id), '2001:db8:1:2::99'))).toBe('address_full');
    // Another /64 is another address.
    expect((await listen(id, await token(id), '2001:db8:1:3::1')).status).toBe(101);
  });

  it('more than ROOM_LISTENER_CONNECTS_PER_MINUTE attempts from one address are refused 429', async () => {
    const id = await room();
    const ip = freshIp();
    const listeners = gw.running.app.get(RoomListenersService);
    const before = listeners.count;
    const outcomes: string[] = [];
    for (let i = 0; i < 8; i++) {
      const outcome = await listen(id, await token(id), ip);
      outcomes.push(bodyCode(outcome));
      if ('ws' in outcome) outcome.ws.terminate();
      // Closed before the next one: only the rate, not the per-address cap, can refuse.
      await waitFor(() => listeners.count === before, { what: 'the listener gone' });
    }
    expect(outcomes.slice(0, 6)).toEqual(Array(6).fill('open'));
    expect(outcomes.slice(6)).toEqual(['too_many_connects', 'too_many_connects']);
    expect((await listen(id, await token(id), freshIp())).status).toBe(101);
  });

  it('replays 20,000 entries page by page: a reader gets all once and in order, then live; a listener that does not read is closed 4013', async () => {
    const id = await room();
    const redis = new Redis(REDIS_URL);
    const stream = new RedisKeys(gw.config.redis.prefix).roomStream(id);
    const text = 'ask not what your country can do for you, ask what you can do '.repeat(8);
    for (let seq = 1; seq <= ENTRIES; seq += 1000) {
      const batch = redis.pipeline();
      for (let i = seq; i < seq + 1000; i++) {
        const frame = { type: 'final', speaker: 'A', utterance_id: `s:${i}`, text, language: 'en' };
        batch.xadd(
          stream,
          '*',
          's',
          String(i),
          'f',
          JSON.stringify({ ...frame, start: 0, end: 1 }),
        );
      }
      await batch.exec();
    }
    const listeners = gw.running.app.get(RoomListenersService);
    const before = listeners.count;

    const deaf = await listen(id, await token(id), freshIp());
    if (!('ws' in deaf)) throw new Error(`deaf listener refused: ${deaf.status}`);
    deaf.ws.pause();

    const reader = new WsListener({
      base: http,
      roomId: id,
      token: await token(id),
      language: 'original',
    });
    open.push(reader.ws);
    await reader.opened;
    await waitFor(() => reader.frames.filter((f: RoomFrame) => f.type === 'final').length >= 100, {
      what: 'the replay under way',
    });
    const live = {
      type: 'final',
      speaker: 'A',
      utterance_id: 's:live',
      text: 'live',
      language: 'en',
    };
    await redis.xadd(
      stream,
      '*',
      's',
      String(ENTRIES + 1),
      'f',
      JSON.stringify({ ...live, start: 0, end: 1 }),
    );
    await waitFor(() => reader.frames.some((f: RoomFrame) => f.text === 'live'), {
      what: 'the live final after the replay',
      timeoutMs: 60_000,
    });
    const seqs = reader.frames
      .filter((f: RoomFrame) => f.type === 'final')
      .map((f) => f.seq as number);
    expect(seqs).toEqual(Array.from({ length: ENTRIES + 1 }, (_, i) => i + 1));

    // The deaf listener can not take its replay: it is dropped, its place given back.
    await waitFor(() => listeners.count === before + 1, {
      what: 'the deaf listener closed',
      timeoutMs: 40_000,
    });
    redis.disconnect();
  });
});
