import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './load-config';
import { configErrorOf } from '../../../test/helpers/config-errors';

const SECRET = 'a-secret-of-at-least-32-characters-long';

const errorOf = configErrorOf;

describe('security configuration', () => {
  it('requires auth by default only in production', () => {
    expect(loadConfig({}).security.authRequired).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET }).security.authRequired).toBe(
      true,
    );
    expect(
      loadConfig({ NODE_ENV: 'production', AUTH_REQUIRED: 'false' }).security.authRequired,
    ).toBe(false);
  });

  it('refuses production with auth on and no signing key, naming what to set', () => {
    const error = errorOf({ NODE_ENV: 'production' });
    expect(error?.variable).toBe('JWT_SECRET');
    expect(error?.message).toMatch(/signing key when NODE_ENV=production and AUTH_REQUIRED=true/);
  });

  it('has safe defaults', () => {
    const { security } = loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET });
    expect(security).toMatchObject({
      tokenTtlSeconds: 60,
      tokenSingleUse: true,
      jwtKeys: [{ kid: 'k1', secret: SECRET }],
      allowedOrigins: [],
      tls: undefined,
    });
  });

  it('adds every signing key to the secrets the logger redacts, and never echoes one in errors', () => {
    const config = loadConfig({ JWT_KEYS: `new:${SECRET}x,old:${SECRET}` });
    expect(config.security.jwtKeys.map((k) => k.kid)).toEqual(['new', 'old']);
    expect(config.secrets).toEqual(expect.arrayContaining([`${SECRET}x`, SECRET]));
    const short = errorOf({ JWT_SECRET: 'short-secret' });
    expect(short?.variable).toBe('JWT_SECRET');
    expect(short?.message).not.toContain('short-secret');
    expect(errorOf({ JWT_KEYS: 'no-colon-here-but-long-enough-0123456789' })?.variable).toBe(
      'JWT_KEYS',
    );
  });

  it('reads a JWK Set of oct keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jwks-'));
    const file = join(dir, 'jwks.json');
    const k = Buffer.from(SECRET).toString('base64url');
    writeFileSync(file, JSON.stringify({ keys: [{ kty: 'oct', kid: 'a', k }] }));
    expect(loadConfig({ JWT_JWKS_FILE: file }).security.jwtKeys).toEqual([
      { kid: 'a', secret: SECRET },
    ]);
    writeFileSync(file, JSON.stringify({ keys: [{ kty: 'RSA', kid: 'a' }] }));
    expect(errorOf({ JWT_JWKS_FILE: file })?.variable).toBe('JWT_JWKS_FILE');
    expect(errorOf({ JWT_JWKS_FILE: join(dir, 'missing.json') })?.variable).toBe('JWT_JWKS_FILE');
  });

  it('validates origins and TLS files', () => {
    expect(
      loadConfig({ ALLOWED_ORIGINS: 'https://a.example, http://localhost:3000' }).security
        .allowedOrigins,
    ).toEqual(['https://a.example', 'http://localhost:3000']);
    expect(errorOf({ ALLOWED_ORIGINS: 'https://a.example/path' })?.variable).toBe(
      'ALLOWED_ORIGINS',
    );
    expect(errorOf({ ALLOWED_ORIGINS: '*' })?.variable).toBe('ALLOWED_ORIGINS');
    expect(errorOf({ TLS_CERT: '/nonexistent.pem', TLS_KEY: '/nonexistent.key' })?.variable).toBe(
      'TLS_CERT',
    );
    expect(errorOf({ TLS_CERT: __filename })?.variable).toBe('TLS_KEY');
    expect(errorOf({ TLS_CA: __filename })?.variable).toBe('TLS_CA');
    expect(loadConfig({ TLS_CERT: __filename, TLS_KEY: __filename }).security.tls).toEqual({
      certFile: __filename,
      keyFile: __filename,
      caFile: undefined,
    });
  });

  it.each([
    ['TOKEN_TTL_SECONDS', '0'],
    ['MAX_SESSION_SECONDS', '-1'],
    ['IDLE_TIMEOUT_SECONDS', 'soon'],
    ['MAX_BUFFERED_BYTES', '10'],
    ['MESSAGES_PER_SECOND', '0'],
    ['AUTH_REQUIRED', 'maybe'],
  ])('rejects %s=%s', (name, value) => {
    expect(errorOf({ [name]: value })?.variable).toBe(name);
  });
});
