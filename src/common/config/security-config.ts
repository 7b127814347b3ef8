import { existsSync, readFileSync } from 'node:fs';
import { BlockList, isIP } from 'node:net';
import { JwtKey, SecurityConfig } from './app-config';
import {
  ConfigError,
  Env,
  readBoolean,
  readList,
  readNumber,
  readOptionalString,
  readString,
} from './env-parsers';

const MIN_SECRET_LENGTH = 32;
const KID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

function checkSecret(name: string, kid: string, secret: string): JwtKey {
  if (!KID_PATTERN.test(kid)) {
    throw new ConfigError(name, '(hidden)', 'key ids of 1-64 letters, digits, dot, dash or _');
  }
  if (secret.length < MIN_SECRET_LENGTH) {
    // The value is a secret: never echo it.
    throw new ConfigError(name, '(hidden)', `secrets of at least ${MIN_SECRET_LENGTH} characters`);
  }
  return { kid, secret };
}

/** An RFC 7517 JWK Set file of symmetric (`"kty":"oct"`) keys: the first one signs. */
function readJwksFile(path: string): JwtKey[] {
  const allowed = 'a readable JSON file {"keys":[{"kty":"oct","kid":"...","k":"<base64url>"}]}';
  if (!existsSync(path)) throw new ConfigError('JWT_JWKS_FILE', path, allowed);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new ConfigError('JWT_JWKS_FILE', path, allowed);
  }
  const keys = (parsed as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length === 0)
    throw new ConfigError('JWT_JWKS_FILE', path, allowed);
  return keys.map((jwk: Record<string, unknown>) => {
    if (jwk.kty !== 'oct' || typeof jwk.kid !== 'string' || typeof jwk.k !== 'string') {
      throw new ConfigError('JWT_JWKS_FILE', path, allowed);
    }
    return checkSecret(
      'JWT_JWKS_FILE',
      jwk.kid,
      Buffer.from(jwk.k, 'base64url').toString('latin1'),
    );
  });
}

/** JWT_JWKS_FILE, else JWT_KEYS (`kid:secret,...`), else JWT_SECRET (kid JWT_KID). */
function readJwtKeys(env: Env): JwtKey[] {
  const file = readOptionalString(env, 'JWT_JWKS_FILE');
  if (file) return readJwksFile(file);
  const list = readList(env, 'JWT_KEYS', []);
  if (list.length > 0) {
    return list.map((item) => {
      const at = item.indexOf(':');
      if (at <= 0) throw new ConfigError('JWT_KEYS', '(hidden)', 'a comma list of kid:secret');
      return checkSecret('JWT_KEYS', item.slice(0, at), item.slice(at + 1));
    });
  }
  const secret = readOptionalString(env, 'JWT_SECRET');
  if (!secret) return [];
  return [checkSecret('JWT_SECRET', readString(env, 'JWT_KID', 'k1'), secret)];
}

function readOrigins(env: Env): string[] {
  return readList(env, 'ALLOWED_ORIGINS', []).map((origin) => {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      throw new ConfigError(
        'ALLOWED_ORIGINS',
        origin,
        'a comma list of origins like https://app.example.com',
      );
    }
    if (!['http:', 'https:'].includes(url.protocol) || url.origin !== origin.replace(/\/$/, '')) {
      throw new ConfigError(
        'ALLOWED_ORIGINS',
        origin,
        'a comma list of origins like https://app.example.com (scheme, host, port; no path)',
      );
    }
    return url.origin;
  });
}

function readTls(env: Env): SecurityConfig['tls'] {
  const certFile = readOptionalString(env, 'TLS_CERT');
  const keyFile = readOptionalString(env, 'TLS_KEY');
  const caFile = readOptionalString(env, 'TLS_CA');
  if (!certFile && !keyFile) {
    if (caFile)
      throw new ConfigError('TLS_CA', caFile, 'empty unless TLS_CERT and TLS_KEY are set');
    return undefined;
  }
  for (const [name, path] of [
    ['TLS_CERT', certFile],
    ['TLS_KEY', keyFile],
    ['TLS_CA', caFile],
  ] as const) {
    if (name !== 'TLS_CA' && !path) {
      throw new ConfigError(name, '', 'a PEM file path (TLS_CERT and TLS_KEY go together)');
    }
    if (path && !existsSync(path)) throw new ConfigError(name, path, 'an existing PEM file');
  }
  return { certFile: certFile!, keyFile: keyFile!, caFile };
}

/** How to make a good secret, in every refusal. */
export const GENERATE_SECRET_HINT = 'generate one with: openssl rand -base64 48';

/** Placeholders the repository shipped at some point (env.example, deploy/k8s/secret.yaml). */
const SHIPPED_PLACEHOLDERS = new Set([
  'change-me-to-48-random-characters-0123456789abcdef',
  'change-me',
]);
/** Parts of a value that say "replace me" rather than "random". */
const PLACEHOLDER_MARKS = [
  'change-me',
  'changeme',
  'change_me',
  'replace-me',
  'replaceme',
  'placeholder',
  'your-secret',
  'xxxxxxxx',
];
/** Whole values that are guesses, not secrets. */
const WEAK_VALUES = new Set([
  'password',
  'passw0rd',
  'secret',
  'admin',
  'redis',
  'postgres',
  'realtime',
  'test',
  'default',
  '12345678',
  '123456789',
]);

/** Shannon entropy of the value's own character distribution, in bits, times its length. */
export function estimatedEntropyBits(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let perChar = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    perChar -= p * Math.log2(p);
  }
  return perChar * value.length;
}

/**
 * Why a secret is unfit for production (a placeholder the repository ships, a well-known word, or
 * too little entropy for its use), or undefined when it may be used. Signing keys need 128 bits,
 * passwords 64 (estimated from the value itself, so this only catches the obviously weak).
 */
export function weakSecretReason(value: string, kind: 'signing' | 'password'): string | undefined {
  const lowered = value.toLowerCase();
  if (SHIPPED_PLACEHOLDERS.has(value) || PLACEHOLDER_MARKS.some((mark) => lowered.includes(mark))) {
    return 'is a placeholder';
  }
  if (WEAK_VALUES.has(lowered)) return 'is a well-known word';
  const needed = kind === 'signing' ? 128 : 64;
  if (new Set(value).size < 8 || estimatedEntropyBits(value) < needed) {
    return `has too little entropy (under ${needed} bits)`;
  }
  return undefined;
}

/** Throws a ConfigError naming `variable` when `value` is unfit for production. */
export function requireStrongSecret(
  variable: string,
  value: string,
  kind: 'signing' | 'password',
): void {
  const reason = weakSecretReason(value, kind);
  if (reason === undefined) return;
  throw new ConfigError(
    variable,
    '(hidden)',
    `a random secret in production: the value ${reason}; ${GENERATE_SECRET_HINT}`,
  );
}

/** TRUSTED_PROXIES: comma list of IP addresses or CIDR ranges (IPv4 or IPv6). */
function readTrustedProxies(env: Env): string[] {
  const allowed = 'a comma list of IP addresses or CIDR ranges, e.g. 10.0.0.0/8,::1';
  const list = readList(env, 'TRUSTED_PROXIES', []);
  for (const item of list) {
    const [address, bits, extra] = item.split('/');
    const family = isIP(address);
    const prefix = Number(bits);
    if (
      family === 0 ||
      extra !== undefined ||
      (bits !== undefined && (!/^\d{1,3}$/.test(bits) || prefix > (family === 4 ? 32 : 128)))
    ) {
      throw new ConfigError('TRUSTED_PROXIES', item, allowed);
    }
  }
  return list;
}

/** The rules of TRUSTED_PROXIES as a node:net BlockList (checked once per request). */
export function trustedProxyList(items: readonly string[]): BlockList {
  const list = new BlockList();
  for (const item of items) {
    const [address, bits] = item.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return list;
}

/**
 * Authentication, TLS and per-connection limits. Production defaults are safe; without
 * NODE_ENV=production, AUTH_REQUIRED defaults to false so the minimal client works locally.
 */
export function readSecurityConfig(env: Env, nodeEnv: string): SecurityConfig {
  const authRequired = readBoolean(env, 'AUTH_REQUIRED', nodeEnv === 'production');
  const jwtKeys = readJwtKeys(env);
  if (nodeEnv === 'production' && authRequired && jwtKeys.length === 0) {
    throw new ConfigError(
      'JWT_SECRET',
      '',
      'a signing key when NODE_ENV=production and AUTH_REQUIRED=true: set JWT_SECRET ' +
        `(at least ${MIN_SECRET_LENGTH} random characters), JWT_KEYS or JWT_JWKS_FILE; ` +
        GENERATE_SECRET_HINT,
    );
  }
  if (nodeEnv === 'production') {
    const variable = readOptionalString(env, 'JWT_JWKS_FILE')
      ? 'JWT_JWKS_FILE'
      : readList(env, 'JWT_KEYS', []).length > 0
        ? 'JWT_KEYS'
        : 'JWT_SECRET';
    for (const key of jwtKeys) requireStrongSecret(variable, key.secret, 'signing');
  }
  return {
    authRequired,
    jwtKeys,
    jwtIssuer: readString(env, 'JWT_ISSUER', 'realtime-transcription'),
    jwtAudience: readString(env, 'JWT_AUDIENCE', 'realtime-transcription-ws'),
    tokenTtlSeconds: readNumber(env, 'TOKEN_TTL_SECONDS', 60, {
      min: 5,
      max: 86400,
      integer: true,
    }),
    tokenSingleUse: readBoolean(env, 'TOKEN_SINGLE_USE', true),
    allowedOrigins: readOrigins(env),
    authFailureLimit: readNumber(env, 'AUTH_FAILURE_LIMIT', 10, {
      min: 1,
      max: 100_000,
      integer: true,
    }),
    authFailureWindowSeconds: readNumber(env, 'AUTH_FAILURE_WINDOW_SECONDS', 60, {
      min: 1,
      max: 86400,
      integer: true,
    }),
    tls: readTls(env),
    maxSessionSeconds: readNumber(env, 'MAX_SESSION_SECONDS', 4 * 3600, {
      min: 0,
      max: 7 * 86400,
      integer: true,
    }),
    idleTimeoutSeconds: readNumber(env, 'IDLE_TIMEOUT_SECONDS', 120, {
      min: 0,
      max: 86400,
      integer: true,
    }),
    heartbeatSeconds: readNumber(env, 'HEARTBEAT_SECONDS', 30, {
      min: 0,
      max: 3600,
      integer: true,
    }),
    maxBufferedBytes: readNumber(env, 'MAX_BUFFERED_BYTES', 8 * 1024 * 1024, {
      min: 64 * 1024,
      max: 1024 * 1024 * 1024,
      integer: true,
    }),
    maxControlBytes: readNumber(env, 'MAX_CONTROL_BYTES', 16 * 1024, {
      min: 256,
      max: 1024 * 1024,
      integer: true,
    }),
    messagesPerSecond: readNumber(env, 'MESSAGES_PER_SECOND', 200, { min: 1, max: 100_000 }),
    maxRealtimeFactor: readNumber(env, 'MAX_REALTIME_FACTOR', 3, { min: 1, max: 1000 }),
    audioBurstSeconds: readNumber(env, 'AUDIO_BURST_SECONDS', 30, { min: 1, max: 3600 }),
    maxBodyBytes: readNumber(env, 'MAX_BODY_BYTES', 1024 * 1024, {
      min: 1024,
      max: 100 * 1024 * 1024,
      integer: true,
    }),
    trustedProxies: readTrustedProxies(env),
    translateMaxItems: readNumber(env, 'TRANSLATE_MAX_ITEMS', 128, {
      min: 1,
      max: 10_000,
      integer: true,
    }),
    translateRequestsPerMinute: readNumber(env, 'TRANSLATE_REQUESTS_PER_MINUTE', 60, {
      min: 1,
      max: 1_000_000,
      integer: true,
    }),
  };
}
