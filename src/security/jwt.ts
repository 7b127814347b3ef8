import { randomBytes } from 'node:crypto';
import { decodeJwt, errors, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { type JwtKey } from '../common/config/app-config';

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
const ALGORITHM = 'HS256';

/** A JWT looks like three base64url parts (an API key never does). */
export function looksLikeJwt(value: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(value);
}

/** The unverified `sub` of a token, for rate-limiting failures per key; undefined if unreadable. */
export function unverifiedSubject(token: string): string | undefined {
  try {
    const sub = decodeJwt(token).sub;
    return typeof sub === 'string' && sub.length <= 64 ? sub : undefined;
  } catch {
    return undefined;
  }
}

/** Why jose refused a token, in our terms (clients see the reason). */
function failureOf(error: unknown): TokenFailure | undefined {
  if (error instanceof TokenError) return error.reason;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad_signature';
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'exp') return 'expired';
    if (error.claim === 'nbf') return 'not_yet_valid';
    if (error.claim === 'iss') return 'wrong_issuer';
    if (error.claim === 'aud') return 'wrong_audience';
    return 'malformed';
  }
  if (error instanceof errors.JOSEError) return 'malformed';
  return undefined;
}

/**
 * HS256 JSON Web Tokens (RFC 7519, through jose) with a `kid` header so signing keys can rotate:
 * the first key signs, every configured key verifies. Only HS256 is accepted (no `none`, no
 * algorithm confusion), and no claim is trusted before the signature is checked.
 */
export class JwtCodec {
  private readonly byKid: Map<string, Uint8Array>;

  constructor(
    private readonly keys: readonly JwtKey[],
    private readonly issuer: string,
    private readonly audience: string,
  ) {
    const encoder = new TextEncoder();
    this.byKid = new Map(keys.map((key) => [key.kid, encoder.encode(key.secret)]));
  }

  get canSign(): boolean {
    return this.keys.length > 0;
  }

  async issue(
    subject: string,
    scope: string,
    ttlSeconds: number,
    now = Date.now(),
    limits?: Record<string, number | null>,
  ): Promise<{ token: string; claims: SessionClaims }> {
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
    const token = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT', kid: key.kid })
      .sign(this.byKid.get(key.kid)!);
    return { token, claims };
  }

  /** The token's claims, or a TokenError saying why it is not acceptable. */
  async verify(token: string, now = Date.now()): Promise<SessionClaims> {
    if (token.length > MAX_TOKEN_LENGTH || !looksLikeJwt(token)) throw new TokenError('malformed');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(
        token,
        (header) => {
          if (header.typ !== undefined && header.typ !== 'JWT') throw new TokenError('malformed');
          const secret = header.kid === undefined ? undefined : this.byKid.get(header.kid);
          if (secret === undefined) throw new TokenError('unknown_kid');
          return secret;
        },
        {
          algorithms: [ALGORITHM],
          issuer: this.issuer,
          audience: this.audience,
          requiredClaims: ['exp'],
          clockTolerance: CLOCK_SKEW_SECONDS,
          currentDate: new Date(now),
        },
      ));
    } catch (error) {
      const reason = failureOf(error);
      if (reason === undefined) throw error;
      throw new TokenError(reason);
    }
    // jose checks iat only against a maximum age; a token issued in the future is not valid yet.
    if (typeof payload.iat === 'number' && payload.iat - CLOCK_SKEW_SECONDS > now / 1000) {
      throw new TokenError('not_yet_valid');
    }
    if (typeof payload.sub !== 'string' || typeof payload.jti !== 'string') {
      throw new TokenError('malformed');
    }
    const lim = payload.lim;
    return {
      iss: this.issuer,
      aud: this.audience,
      sub: payload.sub,
      iat: payload.iat ?? 0,
      exp: payload.exp!,
      jti: payload.jti,
      scope: typeof payload.scope === 'string' ? payload.scope : '',
      ...(typeof lim === 'object' && lim !== null && !Array.isArray(lim)
        ? { lim: lim as Record<string, number | null> }
        : {}),
    };
  }
}
