import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { ROOT } from '../helpers/processes';
import { testEnv } from '../helpers/test-env';

describe('boot with security settings (the built service)', () => {
  it('refuses to start in production with auth required and no signing key: exit 2, clear message', async () => {
    const env = await testEnv({ NODE_ENV: 'production', ROLE: 'gateway' });
    const result = spawnSync(process.execPath, [resolve(ROOT, 'dist/main.js')], {
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Configuration error: Invalid JWT_SECRET');
    expect(result.stderr).toContain('NODE_ENV=production and AUTH_REQUIRED=true');
  });
});
