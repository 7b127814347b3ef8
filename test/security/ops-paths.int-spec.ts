import { type GatewayApp, startGateway } from '../helpers/gateway-app';
import { cleanupPrefix } from '../helpers/test-env';

/**
 * Issue 24 item 5: readiness and metrics answer only on HEALTH_PORT, whatever case, repeated or
 * trailing slashes or percent-encoding the public port is asked with (Express routes ignore
 * case and a trailing slash, so the filter compares the same form).
 */
describe('ops paths on the public port (issue 24, item 5)', () => {
  let gw: GatewayApp;
  const base = () => `http://127.0.0.1:${gw.config.gateway.port}`;
  const health = () => `http://127.0.0.1:${gw.config.http.healthPort}`;

  beforeAll(async () => {
    gw = await startGateway();
  });

  afterAll(async () => {
    await gw.running.close();
    await cleanupPrefix(gw.config.redis.prefix);
  });

  it.each([
    '/metrics/',
    '/METRICS',
    '/Metrics?x=1',
    '//metrics',
    '/%6detrics',
    '/health/ready/',
    '/HEALTH/READY',
    '/Health/Ready',
    '/health//ready',
  ])('%s is 404 on the public port and says nothing internal', async (path) => {
    const response = await fetch(`${base()}${path}`);
    expect(response.status).toBe(404);
    const body = await response.text();
    expect(body).not.toContain('rt_');
    expect(body).not.toContain('redis');
  });

  it.each(['/HEALTH', '/health/', '/Health/Live/'])(
    '%s is the bare liveness on the public port',
    async (path) => {
      const response = await fetch(`${base()}${path}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok' });
    },
  );

  it('HEALTH_PORT still answers them', async () => {
    expect((await fetch(`${health()}/metrics`)).status).toBe(200);
    expect(await (await fetch(`${health()}/METRICS/`)).text()).toContain('rt_');
    expect((await fetch(`${health()}/health/ready`)).status).toBe(200);
  });
});
