import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from 'src/common/config/load-config';
import { ROOT } from '../helpers/processes';
import {
  configVariables,
  imageEnv,
  parseDockerfile,
  read,
  documentedConfigVariables,
  type Yaml,
  yamlFile,
} from './deploy-files';

const run = promisify(execFile);
const APP_SERVICES = { gateway: 'gateway', stt_worker: 'stt', translation_worker: 'translation' };

function seconds(duration: string): number {
  const match = /^(\d+)(s|m)$/.exec(duration);
  if (!match) throw new Error(`Unparsed duration ${duration}`);
  return Number(match[1]) * (match[2] === 'm' ? 60 : 1);
}

describe('docker/compose.yaml', () => {
  const compose = yamlFile('docker/compose.yaml');
  const services = compose.services as Record<string, Yaml>;

  it('runs redis, postgres, a load balancer and the three roles from one image', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'config_check',
        'gateway',
        'lb',
        'postgres',
        'prometheus',
        'redis',
        'stt_worker',
        'translation_worker',
      ].sort(),
    );
    expect(services.prometheus.profiles).toEqual(['observability']);
    const images = new Set(Object.keys(APP_SERVICES).map((name) => services[name].image));
    expect(images.size).toBe(1);
    for (const [name, role] of Object.entries(APP_SERVICES)) {
      expect(services[name].environment.ROLE).toBe(role);
      expect(services[name].build).toMatchObject({
        context: '..',
        dockerfile: 'docker/Dockerfile',
      });
    }
  });

  it('publishes host ports only on the load balancer (and the optional Prometheus on loopback)', () => {
    const publishing = Object.entries(services)
      .filter(([, service]) => service.ports !== undefined)
      .map(([name]) => name);
    expect(publishing).toEqual(['lb', 'prometheus']);
    for (const port of services.prometheus.ports as string[])
      expect(port).toMatch(/^'?127\.0\.0\.1:/);
    for (const name of Object.keys(APP_SERVICES)) {
      expect(services[name].container_name).toBeUndefined();
      expect(services[name].hostname).toBeUndefined();
    }
  });

  it('runs Redis with noeviction, AOF every second, a volume and a healthcheck', () => {
    const redis = services.redis;
    const command = (redis.command as string[]).join(' ');
    expect(command).toMatch(/--maxmemory-policy noeviction/);
    expect(command).toMatch(/--appendonly yes/);
    expect(command).toMatch(/--appendfsync everysec/);
    expect(redis.volumes).toContain('redis-data:/data');
    expect(redis.healthcheck.test.join(' ')).toContain('redis-cli ping');
    expect(services.postgres.volumes[0]).toMatch(/^postgres-data:/);
    expect(services.postgres.healthcheck.test.join(' ')).toContain('pg_isready');
  });

  it('hardens and limits every role and waits for healthy Redis and PostgreSQL', () => {
    // The process gives itself 30 s to drain (src/main.ts); compose must wait longer.
    expect(read('src/main.ts')).toMatch(/SHUTDOWN_DEADLINE_MS = 30_000/);
    for (const name of Object.keys(APP_SERVICES)) {
      const service = services[name];
      expect(service.read_only).toBe(true);
      expect(service.cap_drop).toEqual(['ALL']);
      expect(service.security_opt).toContain('no-new-privileges:true');
      expect(service.tmpfs[0]).toMatch(/^\/tmp/);
      expect(service.env_file).toBe('${ENV_FILE:-../.env}');
      expect(seconds(service.stop_grace_period)).toBeGreaterThan(30);
      expect(service.deploy.resources.limits.cpus).toBeDefined();
      expect(service.deploy.resources.limits.memory).toBeDefined();
      expect(service.depends_on).toEqual({
        config_check: { condition: 'service_completed_successfully' },
        redis: { condition: 'service_healthy' },
        postgres: { condition: 'service_healthy' },
      });
    }
    expect(services.config_check.command).toEqual(['node', 'dist/main.js', '--check-config']);
    expect(services.config_check.restart).toBe('no');
    expect(services.stt_worker.volumes).toContain('models:/models');
    expect(Object.keys(compose.volumes)).toEqual(
      expect.arrayContaining(['models', 'redis-data', 'postgres-data']),
    );
  });

  /** `docker-compose config` of the given files in a copy with the .env scripts/generate-env.sh writes. */
  async function composeConfig(files: string[]): Promise<Yaml> {
    const dir = mkdtempSync(join(tmpdir(), 'rt-compose-'));
    try {
      mkdirSync(join(dir, 'docker'));
      for (const file of [...files, 'docker/haproxy.cfg']) {
        copyFileSync(join(ROOT, file), join(dir, file));
      }
      await run('sh', [join(ROOT, 'scripts/generate-env.sh'), join(dir, '.env')]);
      const args = ['--env-file', '.env', ...files.flatMap((file) => ['-f', file]), 'config'];
      const { stdout } = await run('docker-compose', args, { cwd: dir });
      return parseYaml(stdout) as Yaml;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('docker-compose accepts the file and every role boots with the resulting environment', async () => {
    const rendered = await composeConfig(['docker/compose.yaml']);
    const image = imageEnv(parseDockerfile(read('docker/Dockerfile')));
    for (const [name, role] of Object.entries(APP_SERVICES)) {
      const environment = rendered.services[name].environment as Record<string, string>;
      const config = loadConfig({ ...image, ...environment });
      expect(config.roles).toEqual([role]);
      expect(config.nodeEnv).toBe('production');
      expect(config.redis.url).toBe('redis://redis:6379');
    }
    expect(rendered.services.lb.ports[0]).toMatchObject({ published: 5026, target: 5026 });
  });

  it('the GPU override runs stt workers from the CUDA image with DEVICE=cuda and one GPU each', async () => {
    const rendered = await composeConfig(['docker/compose.yaml', 'docker/compose.gpu.yaml']);
    const stt = rendered.services.stt_worker as Yaml;
    expect(stt.build.dockerfile).toBe('docker/Dockerfile.cuda');
    expect(stt.deploy.resources.reservations.devices).toEqual([
      { driver: 'nvidia', count: 1, capabilities: ['gpu'] },
    ]);
    const image = imageEnv(parseDockerfile(read('docker/Dockerfile.cuda')));
    const config = loadConfig({ ...image, ...(stt.environment as Record<string, string>) });
    expect(config.roles).toEqual(['stt']);
    expect(config.stt.device).toBe('cuda');
    expect(stt.ports).toBeUndefined();
  });
});

describe('docker/haproxy.cfg', () => {
  const config = read('docker/haproxy.cfg');

  it('is valid for haproxy', async () => {
    const { stdout } = await run('haproxy', ['-c', '-f', join(ROOT, 'docker/haproxy.cfg')]);
    expect(stdout).toContain('Configuration file is valid');
  });

  it('balances the gateway service on its WebSocket port, checking its readiness port', () => {
    const compose = yamlFile('docker/compose.yaml');
    const gateway = compose.services.gateway.environment;
    expect(config).toContain(`server-template gateway 1-20 gateway:${gateway.GATEWAY_PORT}`);
    expect(config).toMatch(new RegExp(`check port ${gateway.HEALTH_PORT}\\b`));
    expect(config).toMatch(/http-check send meth GET uri \/health\/ready/);
    expect(config).toMatch(/timeout tunnel 1h/);
    expect(config).toMatch(/bind :5026/);
  });
});

describe('env.example', () => {
  const lines = read('env.example').split('\n');
  const listed = new Set(
    lines
      .map((line) => /^#?\s*([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined),
  );

  it('lists every variable the service reads', () => {
    const variables = configVariables();
    expect(variables.length).toBeGreaterThan(40);
    expect(variables.filter((name) => !listed.has(name))).toEqual([]);
  });

  it('lists every variable of the configuration reference', () => {
    const variables = documentedConfigVariables();
    expect(variables.length).toBeGreaterThan(30);
    expect(variables.filter((name) => !listed.has(name))).toEqual([]);
  });

  it('holds values the service accepts once scripts/generate-env.sh has filled in the secrets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rt-env-'));
    try {
      await run('sh', [join(ROOT, 'scripts/generate-env.sh'), join(dir, '.env')]);
      const values: Record<string, string> = {};
      for (const line of readFileSync(join(dir, '.env'), 'utf8').split('\n')) {
        const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
        if (match) values[match[1]] = match[2];
      }
      expect(values.JWT_SECRET.length).toBeGreaterThanOrEqual(48);
      expect(() => loadConfig(values)).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
