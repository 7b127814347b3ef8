import { streamRoutes } from 'src/gateway/ws/stream-routes';
import { type GatewayApp, startGateway } from '../helpers/gateway-app';
import { cleanupPrefix } from '../helpers/test-env';

interface RouterLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** Every route the gateway's Express app answers, as "METHOD /openapi/{style}". */
function servedRoutes(gw: GatewayApp): string[] {
  const express = gw.running.app.getHttpAdapter().getInstance() as {
    router: { stack: RouterLayer[] };
  };
  return express.router.stack.flatMap((layer) =>
    layer.route
      ? Object.keys(layer.route.methods)
          .filter((method) => method !== '_all')
          .map(
            (method) =>
              `${method.toUpperCase()} ${layer.route!.path.replace(/[:*](\w+)/g, '{$1}')}`,
          )
      : [],
  );
}

describe('API documents on the gateway', () => {
  let gw: GatewayApp;
  let base: string;

  beforeAll(async () => {
    gw = await startGateway({ ROLE: 'gateway,translation' });
    base = `http://127.0.0.1:${gw.config.gateway.port}`;
  });

  afterAll(async () => {
    await gw.running.close();
    await cleanupPrefix(gw.config.redis.prefix);
  });

  it('/openapi.json documents every HTTP route the gateway serves', async () => {
    const response = await fetch(`${base}/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(document.openapi).toMatch(/^3\./);
    const documented = new Set(
      Object.entries(document.paths).flatMap(([path, operations]) =>
        Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
      ),
    );
    const served = servedRoutes(gw).filter(
      (route) => !/ \/(docs|openapi\.json|asyncapi\.json)/.test(route),
    );
    expect(served.length).toBeGreaterThan(10);
    expect(served.filter((route) => !documented.has(route))).toEqual([]);
    for (const route of ['POST /translate', 'POST /detect', 'GET /languages', 'POST /v1/tokens']) {
      expect(documented.has(route)).toBe(true);
    }
  });

  it('/docs is a browsable page of that document', async () => {
    const response = await fetch(`${base}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain('swagger');
  });

  it('/asyncapi.json describes every WebSocket path', async () => {
    const response = await fetch(`${base}/asyncapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      asyncapi: string;
      channels: Record<string, { address: string; messages: Record<string, unknown> }>;
    };
    expect(document.asyncapi).toBe('3.0.0');
    const addresses = Object.values(document.channels).map((channel) => channel.address);
    expect(addresses.sort()).toEqual(streamRoutes().paths.sort());
    const listen = Object.values(document.channels).find((c) => c.address === '/v1/listen');
    expect(Object.keys(listen!.messages)).toEqual(
      expect.arrayContaining(['client-Finalize', 'server-Results']),
    );
  });
});
