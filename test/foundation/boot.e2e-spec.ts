import { ServiceProcess } from '../helpers/processes';
import { freePort } from '../helpers/ports';
import { TestRedisServer } from '../helpers/redis-server';
import { cleanupPrefix, testEnv, waitFor } from '../helpers/test-env';

async function status(port: number, path: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return response.status;
}

describe('service process', () => {
  const started: ServiceProcess[] = [];
  const prefixes: string[] = [];

  async function start(
    overrides: Record<string, string>,
  ): Promise<{ service: ServiceProcess; env: Record<string, string> }> {
    const env = await testEnv(overrides);
    prefixes.push(env.QUEUE_PREFIX);
    const service = new ServiceProcess(env);
    started.push(service);
    return { service, env };
  }

  afterEach(async () => {
    for (const service of started.splice(0)) {
      service.kill('SIGKILL');
      await service.exited;
    }
    for (const prefix of prefixes.splice(0)) await cleanupPrefix(prefix);
  });

  it('boots ROLE=all: ready is 200, metrics answer, gateway port listens, SIGTERM exits 0', async () => {
    const { service, env } = await start({ ROLE: 'all', LOG_LEVEL: 'log' });
    const port = Number(env.HEALTH_PORT);
    await waitFor(async () => (await status(port, '/health/ready')) === 200, { what: 'ready' });
    expect(await status(port, '/health/live')).toBe(200);
    expect(await status(port, '/health')).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('process_resident_memory_bytes');
    expect(metrics).toMatch(/rt_process_info\{role="stt"\} 1/);
    expect(metrics).toMatch(/rt_queue_depth\{queue="stt"\} \d+/);
    // The public gateway port is its own server.
    expect(await status(Number(env.GATEWAY_PORT), '/health/live')).toBe(200);
    expect(await status(port, '/not-here')).toBe(404);

    service.kill('SIGTERM');
    const exit = await service.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(service.output).toContain('Stopped cleanly');
  });

  it.each([
    ['stt', 'rt_process_info{role="stt"}'],
    ['translation', 'rt_process_info{role="translation"}'],
    ['gateway', 'rt_process_info{role="gateway"}'],
  ])('boots ROLE=%s alone on its own health port', async (role, metric) => {
    const { env } = await start({ ROLE: role });
    const port = Number(env.HEALTH_PORT);
    await waitFor(async () => (await status(port, '/health/live')) === 200, { what: 'live' });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain(metric);
    const others = ['gateway', 'stt', 'translation'].filter((r) => r !== role);
    for (const other of others) expect(metrics).not.toContain(`rt_process_info{role="${other}"}`);
  });

  it('is ready only with what it advertises: GET /languages lists the pairs the moment translation is ready', async () => {
    const gateway = await start({ ROLE: 'gateway' });
    await waitFor(
      async () => (await status(Number(gateway.env.HEALTH_PORT), '/health/ready')) === 200,
      {
        what: 'gateway ready',
        timeoutMs: 30_000,
      },
    );
    const translation = await start({
      ROLE: 'translation',
      QUEUE_PREFIX: gateway.env.QUEUE_PREFIX,
    });
    const ready = await waitFor(
      async () => {
        const response = await fetch(
          `http://127.0.0.1:${translation.env.HEALTH_PORT}/health/ready`,
        );
        return response.status === 200 ? await response.json() : undefined;
      },
      { what: 'translation ready', intervalMs: 10, timeoutMs: 30_000 },
    );
    expect(JSON.stringify(ready)).toContain('translation-directory');
    const languages = (await (
      await fetch(`http://127.0.0.1:${gateway.env.GATEWAY_PORT}/languages`)
    ).json()) as { code: string; targets: string[] }[];
    expect(languages.find((language) => language.code === 'en')?.targets).toContain('es');
  });

  it('uses the default health port of a single role when HEALTH_PORT is unset', async () => {
    const { env } = await start({ ROLE: 'translation', HEALTH_PORT: '' });
    expect(env.HEALTH_PORT).toBe('');
    await waitFor(async () => (await status(8082, '/health/live')) === 200, { what: 'port 8082' });
  });

  it.each([
    ['ROLE', 'transcriber', /Invalid ROLE="transcriber": allowed gateway, stt, translation/],
    ['ROLE', 'stt,bogus', /Invalid ROLE="stt,bogus"/],
    ['HEALTH_PORT', '99999', /Invalid HEALTH_PORT="99999": allowed an integer from 1 to 65535/],
    [
      'REDIS_URL',
      'http://x',
      /Invalid REDIS_URL="http:\/\/x": allowed a URL starting with redis:\/\//,
    ],
    ['MODEL_SIZE', 'huge', /Invalid MODEL_SIZE="huge": allowed one of tiny, tiny.en/],
  ])('refuses %s=%s with a message naming it, no stack trace', async (name, value, message) => {
    const { service } = await start({ [name]: value });
    const exit = await service.exited;
    expect(exit.code).toBe(2);
    expect(service.output).toMatch(message);
    expect(service.output).not.toMatch(/\n\s+at /);
  });

  it('stays up while Redis is unreachable: live 200, ready 503, then 200 once Redis starts', async () => {
    const redisPort = await freePort();
    const redis = new TestRedisServer(redisPort);
    const { service, env } = await start({ ROLE: 'all', REDIS_URL: redis.url });
    const port = Number(env.HEALTH_PORT);
    try {
      await waitFor(async () => (await status(port, '/health/live')) === 200, { what: 'live' });
      expect(await status(port, '/health/ready')).toBe(503);
      await new Promise((r) => setTimeout(r, 1500));
      expect(service.child.exitCode).toBeNull();
      expect(await status(port, '/health/ready')).toBe(503);

      await redis.start();
      await waitFor(async () => (await status(port, '/health/ready')) === 200, {
        timeoutMs: 15_000,
        what: 'ready after Redis started',
      });
    } finally {
      await redis.stop();
    }
  });

  it('never prints the Redis password, even in JSON logs at the most verbose level', async () => {
    const secret = 'S3cret-Pa55-' + Math.random().toString(36).slice(2);
    const redis = new TestRedisServer(await freePort(), secret);
    await redis.start();
    try {
      const { service, env } = await start({
        ROLE: 'all',
        REDIS_URL: redis.url,
        LOG_LEVEL: 'verbose',
        LOG_FORMAT: 'json',
      });
      const port = Number(env.HEALTH_PORT);
      await waitFor(async () => (await status(port, '/health/ready')) === 200, { what: 'ready' });
      service.kill('SIGTERM');
      await service.exited;
      const lines = service.output.trim().split('\n');
      expect(lines.length).toBeGreaterThan(3);
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
      expect(service.output).toContain('redis://');
      expect(service.output).not.toContain(secret);
      expect(service.output).not.toContain(encodeURIComponent(secret));
    } finally {
      await redis.stop();
    }
  });
});
