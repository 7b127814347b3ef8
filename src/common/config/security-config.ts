import { existsSync, readFileSync } from 'node:fs';
import { BlockList, isIP } from 'node:net';
import { ConfigError } from './config-error';
import { type EnvValues } from './env-schema';

/** A symmetric JWT signing key. */
export interface JwtKey {
  readonly kid: string;
  readonly secret: string;
}

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

/** The signing keys and the variable they came from: JWT_JWKS_FILE, else JWT_KEYS, else JWT_SECRET. */
function jwtKeysOf(env: EnvValues): { variable: string; keys: JwtKey[] } {
  if (env.JWT_JWKS_FILE)
    return { variable: 'JWT_JWKS_FILE', keys: readJwksFile(env.JWT_JWKS_FILE) };
  if (env.JWT_KEYS.length > 0) {
    const keys = env.JWT_KEYS.map((item) => {
      const at = item.indexOf(':');
      if (at <= 0) throw new ConfigError('JWT_KEYS', '(hidden)', 'a comma list of kid:secret');
      return checkSecret('JWT_KEYS', item.slice(0, at), item.slice(at + 1));
    });
    return { variable: 'JWT_KEYS', keys };
  }
  const keys = env.JWT_SECRET ? [checkSecret('JWT_SECRET', env.JWT_KID, env.JWT_SECRET)] : [];
  return { variable: 'JWT_SECRET', keys };
}

/** TLS_CERT and TLS_KEY go together and must exist; TLS_CA only with them. */
function tlsOf(env: EnvValues) {
  const { TLS_CERT: certFile, TLS_KEY: keyFile, TLS_CA: caFile } = env;
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
  return {
    certFile: certFile!,
    keyFile: keyFile!,
    /** Client certificates signed by this CA are required when set. */
    caFile,
  };
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

/** The rules of TRUSTED_PROXIES as a node:net BlockList (checked once per request). */
export function trustedProxyList(items: readonly string[]): BlockList {
  const list = new BlockList();
  for (const item of items) {
    const [address = '', bits] = item.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return list;
}

/** A session must be able to hold one whole frame. */
/** Texts per POST /translate: by default no more than the queue-depth check lets through at once. */
function translateMaxItems(env: EnvValues): number {
  return env.TRANSLATE_MAX_ITEMS ?? Math.min(DEFAULT_TRANSLATE_MAX_ITEMS, env.MAX_QUEUE_DEPTH);
}

const DEFAULT_TRANSLATE_MAX_ITEMS = 64;

function pendingAudioBytes(env: EnvValues): number {
  if (env.MAX_PENDING_AUDIO_BYTES < env.MAX_FRAME_BYTES) {
    throw new ConfigError(
      'MAX_PENDING_AUDIO_BYTES',
      String(env.MAX_PENDING_AUDIO_BYTES),
      `at least MAX_FRAME_BYTES (${env.MAX_FRAME_BYTES})`,
    );
  }
  return env.MAX_PENDING_AUDIO_BYTES;
}

/**
 * Authentication, TLS and per-connection limits (AppConfig.security). Production defaults are
 * safe; without NODE_ENV=production, AUTH_REQUIRED defaults to false so the minimal client works
 * locally. Throws a ConfigError when production lacks a signing key or has a weak one.
 */
export function securityConfig(env: EnvValues) {
  const production = env.NODE_ENV === 'production';
  const authRequired = env.AUTH_REQUIRED ?? production;
  const { variable, keys: jwtKeys } = jwtKeysOf(env);
  if (production && authRequired && jwtKeys.length === 0) {
    throw new ConfigError(
      'JWT_SECRET',
      '',
      'a signing key when NODE_ENV=production and AUTH_REQUIRED=true: set JWT_SECRET ' +
        `(at least ${MIN_SECRET_LENGTH} random characters), JWT_KEYS or JWT_JWKS_FILE; ` +
        GENERATE_SECRET_HINT,
    );
  }
  if (production) for (const key of jwtKeys) requireStrongSecret(variable, key.secret, 'signing');
  return {
    /** Upgrades and /v1/tokens need an API key or token (default: on in production). */
    authRequired,
    /** The first signs, all of them verify (rotation). */
    jwtKeys,
    jwtIssuer: env.JWT_ISSUER,
    jwtAudience: env.JWT_AUDIENCE,
    tokenTtlSeconds: env.TOKEN_TTL_SECONDS,
    /** A token connects once (its jti is remembered in Redis until it expires). */
    tokenSingleUse: env.TOKEN_SINGLE_USE,
    /** Exact Origin values browsers may connect from; empty = any Origin. */
    allowedOrigins: env.ALLOWED_ORIGINS,
    /** Failed authentications per IP and per presented key within the window before 429. */
    authFailureLimit: env.AUTH_FAILURE_LIMIT,
    authFailureWindowSeconds: env.AUTH_FAILURE_WINDOW_SECONDS,
    tls: tlsOf(env),
    /** 0 = no limit. */
    maxSessionSeconds: env.MAX_SESSION_SECONDS,
    idleTimeoutSeconds: env.IDLE_TIMEOUT_SECONDS,
    heartbeatSeconds: env.HEARTBEAT_SECONDS,
    /** Unsent bytes a client may have queued before it is closed as a slow reader. */
    maxBufferedBytes: env.MAX_BUFFERED_BYTES,
    /** Largest text (control) frame. */
    maxControlBytes: env.MAX_CONTROL_BYTES,
    /** Service-wide defaults for keys without their own limit (and anonymous sessions). */
    messagesPerSecond: env.MESSAGES_PER_SECOND,
    /** Audio may arrive at most this many times faster than real time (after a burst allowance). */
    maxRealtimeFactor: env.MAX_REALTIME_FACTOR,
    audioBurstSeconds: env.AUDIO_BURST_SECONDS,
    /** Audio bytes of one session waiting to be decoded; a frame past it is refused (4029). */
    maxPendingAudioBytes: pendingAudioBytes(env),
    maxBodyBytes: env.MAX_BODY_BYTES,
    /**
     * Peers (IPs or CIDRs) whose X-Forwarded-For is believed: the client address is the rightmost
     * address in it that is not itself a trusted proxy. Empty = the TCP peer is the client.
     */
    trustedProxies: env.TRUSTED_PROXIES,
    /** POST /translate: most texts in one request (each one is a queued job). */
    translateMaxItems: translateMaxItems(env),
    /** POST /translate: requests per minute per API key (per client address without auth). */
    translateRequestsPerMinute: env.TRANSLATE_REQUESTS_PER_MINUTE,
  };
}
