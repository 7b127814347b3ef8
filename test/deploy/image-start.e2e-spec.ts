import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { ROOT } from '../helpers/processes';
import { freePort } from '../helpers/ports';
import { fixture, uniquePrefix, waitFor } from '../helpers/test-env';
import { imageEnv, parseDockerfile, read, yamlFile } from './deploy-files';

const run = promisify(execFile);

/**
 * The deployment as compose runs it, without Docker: compose's Redis command, and for each role the
 * image's ENTRYPOINT + CMD (tini, node dist/main.js) with the image's ENV and the compose service's
 * environment, on this machine's files instead of the image's.
 */
class Started {
  output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly child: ChildProcess,
    readonly env: Record<string, string>,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((done) =>
      child.once('exit', (code, signal) => done({ code, signal })),
    );
  }

  stop(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}

function start(command: string[], env: Record<string, string>, cwd = ROOT): Started {
  const child = spawn(command[0], command.slice(1), {
    cwd,
    // tini is PID 1 in the container; here it registers as a subreaper to reap the same way
    // (and not to warn on every start that it is not PID 1).
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TINI_SUBREAPER: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Started(child, env);
}

async function httpStatus(port: number, path: string): Promise<number> {
  return (await fetch(`http://127.0.0.1:${port}${path}`)).status;
}

/** docker/healthcheck.cjs, the image's HEALTHCHECK, with a container's environment. */
async function healthcheck(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  try {
    await run('node', [join(ROOT, 'docker/healthcheck.cjs')], {
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    return { code: 0, stderr: '' };
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, stderr: failed.stderr };
  }
}

describe('the image start command, per role, as compose wires it', () => {
  const dockerfile = parseDockerfile(read('docker/Dockerfile'));
  const final = dockerfile.stages[dockerfile.stages.length - 1];
  const entrypoint = JSON.parse(final.instructions.find((i) => i.keyword === 'ENTRYPOINT')!.args);
  const cmd = JSON.parse(final.instructions.find((i) => i.keyword === 'CMD')!.args);
  const command = [...(entrypoint as string[]), ...(cmd as string[])];
  const compose = yamlFile('docker/compose.yaml');

  const started: Started[] = [];
  const dirs: string[] = [];
  let redisPort = 0;

  beforeAll(async () => {
    redisPort = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'rt-deploy-redis-'));
    dirs.push(dir);
    const redisCommand = (compose.services.redis.command as string[]).map((arg) =>
      arg.replace(/\$\{(\w+):-([^}]*)\}/g, '$2'),
    );
    const redis = start(
      [...redisCommand, '--port', String(redisPort), '--bind', '127.0.0.1'],
      {},
      dir,
    );
    started.push(redis);
    await waitFor(
      async () => {
        const client = new Redis(redisPort, '127.0.0.1', {
          lazyConnect: true,
          retryStrategy: () => null,
        });
        try {
          await client.connect();
          return (await client.ping()) === 'PONG';
        } finally {
          client.disconnect();
        }
      },
      { what: 'compose Redis command' },
    );
  });

  afterAll(async () => {
    for (const child of started.reverse()) {
      child.stop('SIGKILL');
      await child.exited;
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('is tini running node dist/main.js', () => {
    expect(command).toEqual(['/usr/bin/tini', '--', 'node', 'dist/main.js']);
  });

  it("Redis runs with compose's persistence and eviction settings", async () => {
    const client = new Redis(redisPort, '127.0.0.1');
    try {
      expect(await client.config('GET', 'maxmemory-policy')).toEqual([
        'maxmemory-policy',
        'noeviction',
      ]);
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await client.config('GET', 'appendfsync')).toEqual(['appendfsync', 'everysec']);
    } finally {
      client.disconnect();
    }
  });

  it('gateway, stt and translation each become ready, pass HEALTHCHECK, and drain to exit 0 on SIGTERM', async () => {
    const prefix = uniquePrefix();
    const modelsDir = mkdtempSync(join(tmpdir(), 'rt-deploy-models-'));
    dirs.push(modelsDir);
    const roles: { service: string; role: string; instance?: Started }[] = [
      { service: 'gateway', role: 'gateway' },
      { service: 'stt_worker', role: 'stt' },
      { service: 'translation_worker', role: 'translation' },
    ];
    for (const entry of roles) {
      const serviceEnv = compose.services[entry.service].environment as Record<string, string>;
      const env: Record<string, string> = {
        ...imageEnv(dockerfile),
        ...serviceEnv,
        // What differs on this machine: Redis, free ports, loopback, local model files.
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        QUEUE_PREFIX: prefix,
        HOST: '127.0.0.1',
        HEALTH_PORT: String(await freePort()),
        GATEWAY_PORT: String(await freePort()),
        MODELS_DIR: modelsDir,
        MODEL_SIZE: 'tiny',
        // Production with AUTH_REQUIRED (the default) refuses to start without a signing key.
        JWT_SECRET: 'image-start-test-secret-0123456789abcdef',
        WHISPER_MODEL: fixture('for-tests-ggml-tiny.bin'),
      };
      expect(env.ROLE).toBe(entry.role);
      expect(env.NODE_ENV).toBe('production');
      entry.instance = start(command, env);
      started.push(entry.instance);
    }

    for (const { role, instance } of roles) {
      const port = Number(instance!.env.HEALTH_PORT);
      await waitFor(async () => (await httpStatus(port, '/health/ready')) === 200, {
        timeoutMs: 30_000,
        what: `${role} ready`,
      });
      expect(await healthcheck(instance!.env)).toEqual({ code: 0, stderr: '' });
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toContain(`rt_process_info{role="${role}"} 1`);
    }
    const gateway = roles[0].instance!;
    expect(await httpStatus(Number(gateway.env.GATEWAY_PORT), '/health/live')).toBe(200);

    // SIGTERM goes to tini (PID 1 in the container), which forwards it; node drains and exits 0.
    for (const { instance } of roles) instance!.stop('SIGTERM');
    for (const { role, instance } of roles) {
      expect({ role, exit: await instance!.exited }).toEqual({
        role,
        exit: { code: 0, signal: null },
      });
      const lines = instance!.output.trim().split('\n');
      expect(lines.length).toBeGreaterThan(2);
      // NODE_ENV=production in the image: every log line is a JSON object.
      for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
      expect(instance!.output).toContain('Stopped cleanly');
    }
  });

  it('HEALTHCHECK fails when nothing answers, and without HEALTH_PORT probes the role default', async () => {
    const port = await freePort();
    const failed = await healthcheck({ HEALTH_PORT: String(port) });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`127.0.0.1:${port}/health/live`);
    for (const [role, defaultPort] of [
      ['stt', 8081],
      ['translation', 8082],
      ['gateway', 8080],
      ['gateway,stt', 8080],
    ] as const) {
      const result = await healthcheck({ ROLE: role });
      // Exit 0 only if something healthy happens to listen there on this shared machine.
      if (result.code !== 0)
        expect(result.stderr).toContain(`127.0.0.1:${defaultPort}/health/live`);
    }
  });
});
