import { ApiKeyService } from 'src/persistence/api-keys/api-key.service';
import { type GatewayApp, startGateway } from '../helpers/gateway-app';
import { cleanupPrefix } from '../helpers/test-env';
import { postJson, WsListener } from './room-clients';

/**
 * Issue 24 item 19, through a real gateway, Redis and the SQLite key store: revoking an API key
 * ends its rooms, as it closes its sessions: listeners get `ended` and 4020, joins answer 410.
 */
describe('revoking a key ends its rooms (issue 24, item 19)', () => {
  let gw: GatewayApp;
  let http: string;

  beforeAll(async () => {
    gw = await startGateway({
      AUTH_REQUIRED: 'true',
      JWT_SECRET: 'room-revocation-e2e-secret-0123456789abcdef',
    });
    http = `http://127.0.0.1:${gw.config.gateway.port}`;
  });

  afterAll(async () => {
    await gw.running.close();
    await cleanupPrefix(gw.config.redis.prefix);
  });

  it("ends every live room of the key, and only that key's", async () => {
    const apiKeys = gw.running.app.get(ApiKeyService);
    const owner = await apiKeys.create({ name: 'owner' });
    const other = await apiKeys.create({ name: 'other' });
    const create = async (key: string) =>
      String(
        (await postJson(`${http}/v1/rooms`, {}, { authorization: `Bearer ${key}` })).body.room_id,
      );
    const rooms = [await create(owner.key), await create(owner.key)];
    const kept = await create(other.key);
    const listen = async (roomId: string) => {
      const joined = await postJson(`${http}/v1/rooms/join`, { room: roomId });
      const l = new WsListener({
        base: http,
        roomId,
        token: String(joined.body.token),
        language: 'original',
      });
      await l.opened;
      return l;
    };
    const listeners = [await listen(rooms[0]), await listen(rooms[1])];
    const bystander = await listen(kept);

    await apiKeys.revoke(owner.record.id);
    for (const l of listeners) {
      expect(await l.closed).toBe(4020);
      expect(l.frames.some((f) => f.type === 'ended')).toBe(true);
    }
    for (const roomId of rooms) {
      expect((await postJson(`${http}/v1/rooms/join`, { room: roomId })).status).toBe(410);
    }
    expect((await postJson(`${http}/v1/rooms/join`, { room: kept })).status).toBe(200);
    expect(bystander.ws.readyState).toBe(bystander.ws.OPEN);
    bystander.ws.terminate();
  });
});
