import { randomBytes } from 'node:crypto';
import { loadConfig } from './load-config';
import { estimatedEntropyBits, trustedProxyList, weakSecretReason } from './security-config';
import { configErrorOf } from '../../../test/helpers/config-errors';

const STRONG = randomBytes(48).toString('base64');

const errorOf = configErrorOf;

describe('production secrets', () => {
  it.each([
    ['JWT_SECRET', { JWT_SECRET: 'change-me-to-48-random-characters-0123456789abcdef' }],
    ['JWT_SECRET', { JWT_SECRET: 'a'.repeat(48) }],
    ['JWT_SECRET', { JWT_SECRET: 'abababababababababababababababababababab' }],
    ['JWT_KEYS', { JWT_KEYS: `k2:${STRONG},k1:${'x'.repeat(40)}` }],
    ['REDIS_URL', { JWT_SECRET: STRONG, REDIS_URL: 'redis://:change-me@redis:6379' }],
    [
      'DATABASE_URL',
      { JWT_SECRET: STRONG, DATABASE_URL: 'postgres://realtime:change-me@postgres:5432/realtime' },
    ],
    ['DATABASE_URL', { JWT_SECRET: STRONG, DATABASE_URL: 'postgres://u:password@db/realtime' }],
    ['POSTGRES_PASSWORD', { JWT_SECRET: STRONG, POSTGRES_PASSWORD: 'change-me' }],
    ['REDIS_PASSWORD', { JWT_SECRET: STRONG, REDIS_PASSWORD: 'redis' }],
  ])('refuses a weak %s, naming it and how to generate one, never echoing it', (name, env) => {
    const error = errorOf({ NODE_ENV: 'production', ...env });
    expect(error?.variable).toBe(name);
    expect(error?.message).toContain('openssl rand -base64 48');
    expect(error?.message).not.toContain('change-me');
  });

  it('accepts random values in production, and anything outside production', () => {
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        JWT_SECRET: STRONG,
        REDIS_URL: `redis://:${randomBytes(24).toString('hex')}@redis:6379`,
        POSTGRES_PASSWORD: randomBytes(24).toString('base64url'),
      }),
    ).not.toThrow();
    expect(() =>
      loadConfig({ JWT_SECRET: 'change-me-to-48-random-characters-0123456789abcdef' }),
    ).not.toThrow();
  });

  it('estimates entropy from the value itself', () => {
    expect(estimatedEntropyBits('aaaa')).toBe(0);
    expect(estimatedEntropyBits(STRONG)).toBeGreaterThan(300);
    expect(weakSecretReason(STRONG, 'signing')).toBeUndefined();
    expect(weakSecretReason('Tr0ub4dor&3-horse-battery', 'password')).toBeUndefined();
  });
});

describe('TRUSTED_PROXIES', () => {
  it('reads addresses and CIDR ranges of both families', () => {
    const { security } = loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1,::1,fd00::/8' });
    expect(security.trustedProxies).toEqual(['10.0.0.0/8', '127.0.0.1', '::1', 'fd00::/8']);
    const list = trustedProxyList(security.trustedProxies);
    expect(list.check('10.1.2.3', 'ipv4')).toBe(true);
    expect(list.check('11.1.2.3', 'ipv4')).toBe(false);
    expect(list.check('fd00::1', 'ipv6')).toBe(true);
    expect(loadConfig({}).security.trustedProxies).toEqual([]);
  });

  it.each(['10.0.0.0/33', 'proxy.local', '10.0.0.1/8/2', '::1/200', '10.0.0.0/x'])(
    'refuses %s',
    (value) => {
      expect(errorOf({ TRUSTED_PROXIES: value })?.variable).toBe('TRUSTED_PROXIES');
    },
  );
});
