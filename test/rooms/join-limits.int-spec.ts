import { type GatewayApp, startGateway } from '../helpers/gateway-app';
import { cleanupPrefix } from '../helpers/test-env';
import { postJson } from './room-clients';

/** Join counters are per minute: start a burst of attempts well inside one. */
async function insideOneMinute(): Promise<void> {
  const second = new Date().getSeconds();
  if (second >= 50) await new Promise((r) => setTimeout(r, (61 - second) * 1000));
}

/**
 * Issue 24 item 7, through real gateways and Redis: passcodes have at least 6 characters, a room
 * takes no passcode for a while after ROOM_PASSCODE_FAILURES wrong ones (from any address), IPv6
 * clients are counted by /64, and all join attempts together have a budget per minute.
 */
describe('room join limits (issue 24, item 7)', () => {
  const gateways: GatewayApp[] = [];
  const start = async (env: Record<string, string>) => {
    const gw = await startGateway({ TRUSTED_PROXIES: '127.0.0.1,::1', ...env });
    gateways.push(gw);
    return `http://127.0.0.1:${gw.config.gateway.port}`;
  };
  const join = (http: string, body: unknown, ip: string) =>
    postJson(`${http}/v1/rooms/join`, body, { 'x-forwarded-for': ip });

  afterAll(async () => {
    for (const gw of gateways) {
      await gw.running.close();
      await cleanupPrefix(gw.config.redis.prefix);
    }
  });

  it('refuses passcodes under 6 characters; locks a room after ROOM_PASSCODE_FAILURES wrong ones, the right one included', async () => {
    const http = await start({ ROOM_PASSCODE_FAILURES: '3', ROOM_PASSCODE_LOCKOUT_SECONDS: '60' });
    const short = await postJson(`${http}/v1/rooms`, { passcode: '1234' });
    expect(short.status).toBe(400);
    expect(short.body.message).toContain('6-64 characters');
    const created = await postJson(`${http}/v1/rooms`, { passcode: '135790' });
    expect(created.status).toBe(201);
    const room = String(created.body.room_id);
    expect((await join(http, { room, passcode: '135790' }, '198.51.100.1')).status).toBe(200);
    for (const [i, guess] of ['000000', '111111', '222222'].entries()) {
      const wrong = await join(http, { room, passcode: guess }, `198.51.100.${10 + i}`);
      expect(wrong.body.code).toBe('wrong_passcode');
    }
    const locked = await join(http, { room, passcode: '135790' }, '198.51.100.20');
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('room_locked');
    // Another room is not affected.
    const other = await postJson(`${http}/v1/rooms`, { passcode: '246810' });
    const joined = await join(
      http,
      { room: other.body.room_id, passcode: '246810' },
      '198.51.100.21',
    );
    expect(joined.status).toBe(200);
  });

  it('counts an IPv6 /64 as one address, and all addresses together against ROOM_JOINS_PER_MINUTE_TOTAL', async () => {
    const http = await start({ ROOM_JOINS_PER_MINUTE: '3', ROOM_JOINS_PER_MINUTE_TOTAL: '8' });
    await insideOneMinute();
    const codes: string[] = [];
    for (let i = 1; i <= 4; i++) {
      codes.push(String((await join(http, { code: 'ZZZZZZ' }, `2001:db8:5:6::${i}`)).body.code));
    }
    expect(codes).toEqual(['room_not_found', 'room_not_found', 'room_not_found', 'too_many_joins']);
    // Another /64 has its own count ...
    const elsewhere = await join(http, { code: 'ZZZZZZ' }, '2001:db8:5:7::1');
    expect(elsewhere.body.code).toBe('room_not_found');
    // ... until every address together used the service's budget.
    const spread: string[] = [];
    for (let i = 1; i <= 4; i++) {
      spread.push(String((await join(http, { code: 'ZZZZZZ' }, `203.0.113.${i}`)).body.code));
    }
    expect(spread).toEqual([
      'room_not_found',
      'room_not_found',
      'room_not_found',
      'too_many_joins',
    ]);
  });
});
