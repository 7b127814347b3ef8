import { WebSocket } from 'ws';
import { type GatewayApp, startGateway } from '../helpers/gateway-app';
import { cleanupPrefix } from '../helpers/test-env';
import { closeOf, framesOf } from '../helpers/upgrade';

describe('maximum session duration', () => {
  let gw: GatewayApp;

  beforeAll(async () => {
    gw = await startGateway({ MAX_SESSION_SECONDS: '2' });
  });

  afterAll(async () => {
    await gw.running.close();
    await cleanupPrefix(gw.config.redis.prefix);
  });

  it('closes a busy connection with 4011 once it is MAX_SESSION_SECONDS old, with a resume hint', async () => {
    const ws = new WebSocket(gw.url);
    const frames = framesOf(ws);
    const closed = closeOf(ws);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const keepalive = setInterval(() => ws.send('{"type":"keepalive"}'), 300);
    try {
      const { code, reason } = await closed;
      expect(code).toBe(4011);
      expect(reason).toContain('resume');
      expect(frames.find((f) => f.type === 'error')).toMatchObject({ code: 'max_duration' });
      expect(frames.find((f) => f.type === 'session')).toBeDefined();
    } finally {
      clearInterval(keepalive);
    }
  });
});
