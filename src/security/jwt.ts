import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { JwtKey } from '../common/config/app-config';

/** Claims of a session token. `sub` is the API key id; `lim` its limits at issue time. */
export interface SessionClaims {
  iss: string;
  aud: string;
  sub: string;
  iat: number;
  exp: number;
  jti: string;
  scope: string;
  /** The key's per-key limits when the token was issued (the upgrade path needs no lookup). */
  lim?: Record<string, number | null>;
}

export type TokenFailure =
  | 'malformed'
  | 'unknown_kid'
  | 'bad_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_issuer'
  | 'wrong_audience';

export class TokenError extends Error {
  constructor(readonly reason: TokenFailure) {
    super(`token rejected: ${reason}`);
  }
}

const CLOCK_SKEW_SECONDS = 5;
const MAX_TOKEN_LENGTH = 4096;

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function decodeJson(part: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9_-]+$/.test(part)) throw new TokenError('malformed');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new TokenError('malformed');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TokenError('malformed');
  }
  return value as Record<string, unknown>;
}

function sign(input: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(input).digest();
}

/** A JWT looks like three base64url parts (an API key never does). */
export function looksLikeJwt(value: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(value);
}

/** The unverified `sub` of a token, for rate-limiting failures per key; undefined if unreadable. */
export function unverifiedSubject(token: string): string | undefined {
  try {
    const sub = decodeJson(token.split('.')[1] ?? '').sub;
    return typeof sub === 'string' && sub.length <= 64 ? sub : undefined;
  } catch {
    return undefined;
  }
}

/**
 * HS256 JSON Web Tokens (RFC 7519) with a `kid` header so signing keys can rotate: the first key
 * signs, every configured key verifies. Only `alg: HS256` is accepted (no `none`, no algorithm
 * confusion); the signature is compared in constant time before any claim is trusted.
 */
export class JwtCodec {
  private readonly byKid: Map<string, string>;

  constructor(
    private readonly keys: readonly JwtKey[],
    private readonly issuer: string,
    private readonly audience: string,
  ) {
    this.byKid = new Map(keys.map((key) => [key.kid, key.secret]));
  }

  get canSign(): boolean {
    return this.keys.length > 0;
  }

  issue(
    subject: string,
    scope: string,
    ttlSeconds: number,
    now = Date.now(),
    limits?: Record<string, number | null>,
  ): { token: string; claims: SessionClaims } {
    const key = this.keys[0];
    if (!key) throw new Error('no signing key configured (JWT_SECRET, JWT_KEYS or JWT_JWKS_FILE)');
    const iat = Math.floor(now / 1000);
    const claims: SessionClaims = {
      iss: this.issuer,
      aud: this.audience,
      sub: subject,
      iat,
      exp: iat + ttlSeconds,
      jti: randomBytes(16).toString('base64url'),
      scope,
      ...(limits ? { lim: limits } : {}),
    };
    const input = `${encode({ alg: 'HS256', typ: 'JWT', kid: key.kid })}.${encode(claims)}`;
    return { token: `${input}.${sign(input, key.secret).toString('base64url')}`, claims };
  }

  /** The token's claims, or a TokenError saying why it is not acceptable. */
  verify(token: string, now = Date.now()): SessionClaims {
    if (token.length > MAX_TOKEN_LENGTH || !looksLikeJwt(token)) throw new TokenError('malformed');
    const [headerPart, payloadPart, signaturePart] = token.split('.');
    const header = decodeJson(headerPart);
    if (header.alg !== 'HS256' || (header.typ !== undefined && header.typ !== 'JWT')) {
      throw new TokenError('malformed');
    }
    const secret = typeof header.kid === 'string' ? this.byKid.get(header.kid) : undefined;
    if (secret === undefined) throw new TokenError('unknown_kid');
    const expected = sign(`${headerPart}.${payloadPart}`, secret);
    const given = Buffer.from(signaturePart, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new TokenError('bad_signature');
    }
    const claims = decodeJson(payloadPart);
    const seconds = now / 1000;
    if (typeof claims.exp !== 'number' || claims.exp + CLOCK_SKEW_SECONDS <= seconds) {
      throw new TokenError('expired');
    }
    if (typeof claims.nbf === 'number' && claims.nbf - CLOCK_SKEW_SECONDS > seconds) {
      throw new TokenError('not_yet_valid');
    }
    if (typeof claims.iat === 'number' && claims.iat - CLOCK_SKEW_SECONDS > seconds) {
      throw new TokenError('not_yet_valid');
    }
    if (claims.iss !== this.issuer) throw new TokenError('wrong_issuer');
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes(this.audience)) throw new TokenError('wrong_audience');
    if (typeof claims.sub !== 'string' || typeof claims.jti !== 'string') {
      throw new TokenError('malformed');
    }
    return {
      iss: claims.iss,
      aud: this.audience,
      sub: claims.sub,
      iat: typeof claims.iat === 'number' ? claims.iat : 0,
      exp: claims.exp,
      jti: claims.jti,
      scope: typeof claims.scope === 'string' ? claims.scope : '',
      ...(typeof claims.lim === 'object' && claims.lim !== null && !Array.isArray(claims.lim)
        ? { lim: claims.lim as Record<string, number | null> }
        : {}),
    };
  }
}
