import { type GatewayApp, startGateway } from '../helpers/gateway-app';
import { cleanupPrefix } from '../helpers/test-env';

/**
 * Issue 24 items 15 and 16, through real gateways: X-Forwarded-Host/-Proto shape room join links
 * and QR codes only when a trusted proxy sent them, and the page may open WebSockets to its own
 * host only.
 */
describe('forwarded headers and connect-src (issue 24, items 15 and 16)', () => {
  const gateways: GatewayApp[] = [];

  afterAll(async () => {
    for (const gw of gateways) {
      await gw.running.close();
      await cleanupPrefix(gw.config.redis.prefix);
    }
  });

  async function joinUrl(gw: GatewayApp): Promise<string> {
    const response = await fetch(`http://127.0.0.1:${gw.config.gateway.port}/v1/rooms`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'https',
      },
      body: '{}',
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { join_url: string }).join_url;
  }

  it('without TRUSTED_PROXIES a client-sent X-Forwarded-Host/-Proto do not make the join link', async () => {
    const gw = await startGateway();
    gateways.push(gw);
    const url = await joinUrl(gw);
    expect(url.startsWith(`http://127.0.0.1:${gw.config.gateway.port}/room/r_`)).toBe(true);
    expect(url).not.toContain('evil.example');
  });

  it('from a trusted proxy they do', async () => {
    const gw = await startGateway({ TRUSTED_PROXIES: '127.0.0.1,::1' });
    gateways.push(gw);
    expect((await joinUrl(gw)).startsWith('https://evil.example/room/r_')).toBe(true);
  });

  it("CSP connect-src is the page's own origin and its host's sockets, not any ws: or wss:", async () => {
    const gw = gateways[0];
    const response = await fetch(`http://127.0.0.1:${gw.config.gateway.port}/`);
    const policy = response.headers.get('content-security-policy') ?? '';
    const connect = /connect-src ([^;]*)/.exec(policy)?.[1];
    const host = `127.0.0.1:${gw.config.gateway.port}`;
    expect(connect).toBe(`'self' ws://${host} wss://${host}`);
    expect(policy).toContain("frame-ancestors 'none'");
  });
});
