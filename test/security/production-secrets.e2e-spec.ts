import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from 'src/common/config/load-config';
import { ROOT } from '../helpers/processes';
import { testEnv } from '../helpers/test-env';

/** Values the repository shipped before secrets were generated (env.example, k8s secret.yaml). */
const SHIPPED = {
  JWT_SECRET: 'change-me-to-48-random-characters-0123456789abcdef',
  REDIS_URL: 'redis://:change-me@127.0.0.1:6379',
  DATABASE_URL: 'postgres://realtime:change-me@127.0.0.1:5432/realtime',
  POSTGRES_PASSWORD: 'change-me',
  REDIS_PASSWORD: 'change-me',
};
const STRONG = randomBytes(48).toString('base64');

function boot(env: Record<string, string>) {
  return spawnSync(process.execPath, [resolve(ROOT, 'dist/main.js')], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

function envFile(path: string): Record<string, string> {
  const entries = readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => [match[1], match[2]]);
  return Object.fromEntries(entries) as Record<string, string>;
}

describe('production refuses shipped placeholder and low-entropy secrets (the built service)', () => {
  it.each(Object.entries(SHIPPED))(
    'exits 2 naming %s and how to generate a secret, without echoing it',
    async (name, value) => {
      const env = await testEnv({ NODE_ENV: 'production', ROLE: 'gateway', JWT_SECRET: STRONG });
      const result = boot({ ...env, [name]: value });
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(`Configuration error: Invalid ${name}=`);
      expect(result.stderr).toContain('openssl rand -base64 48');
      expect(result.stderr).not.toContain('change-me');
    },
  );

  it('exits 2 with a low-entropy signing secret', async () => {
    const env = await testEnv({ NODE_ENV: 'production', ROLE: 'gateway' });
    const result = boot({ ...env, JWT_SECRET: 'ab'.repeat(24) });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Invalid JWT_SECRET=');
    expect(result.stderr).toContain('too little entropy');
  });

  it('env.example as shipped does not start in production: JWT_SECRET must be generated', async () => {
    const shipped = envFile(join(ROOT, 'env.example'));
    expect(shipped.JWT_SECRET).toBe('');
    expect(shipped.POSTGRES_PASSWORD).toBe('');
    const env = await testEnv({ ROLE: 'gateway' });
    const result = boot({
      ...shipped,
      ...env,
      NODE_ENV: 'production',
      DATABASE_URL: 'sqlite::memory:',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Invalid JWT_SECRET=');
    expect(result.stderr).toContain('openssl rand -base64 48');
  });

  it('scripts/generate-env.sh writes a .env whose secrets production accepts', () => {
    const target = join(mkdtempSync(join(tmpdir(), 'env-')), '.env');
    const run = spawnSync('sh', [join(ROOT, 'scripts/generate-env.sh'), target], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    const generated = envFile(target);
    expect(generated.JWT_SECRET.length).toBeGreaterThanOrEqual(64);
    expect(generated.DATABASE_URL).toBe(
      `postgres://realtime:${generated.POSTGRES_PASSWORD}@postgres:5432/realtime`,
    );
    expect(() => loadConfig(generated)).not.toThrow();
    // Never overwrites an existing file.
    expect(spawnSync('sh', [join(ROOT, 'scripts/generate-env.sh'), target]).status).toBe(1);
  });
});
