import { Inject, Injectable, Logger } from '@nestjs/common';
import { IncomingMessage } from 'node:http';
import { BlockList } from 'node:net';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { trustedProxyList } from '../common/config/security-config';
import { ApiKeyService } from '../persistence/api-keys/api-key.service';
import { ApiKeyScope, hasScope } from '../persistence/api-keys/api-key.types';
import {
  clientIp,
  fromTrustedProxy,
  PresentedCredential,
  presentedCredential,
} from './credentials';
import { JwtCodec, looksLikeJwt, TokenError } from './jwt';
import { ANONYMOUS, AuthDecision, limitsFromClaim, Principal } from './principal';
import { RevocationService } from './revocation.service';
import { credentialLabel, SecurityStoreService } from './security-store.service';
import { SecurityMetrics } from './security.metrics';
import { TOKEN_CODEC } from './token-codec.provider';

/**
 * Where a request is authenticated:
 * - `upgrade`: WebSocket upgrades (API key or session token; Authorization, subprotocol, or a
 *   token in `?token=`), Origin allowlist, the `stream` scope.
 * - `http`: the HTTP API (POST /v1/tokens, /v1/sessions, /v1/usage, POST /translate): an API key
 *   in `Authorization: Bearer` (or LibreTranslate's `api_key` body field, given as `bodyKey`).
 */
export interface AuthRequest {
  mode: 'upgrade' | 'http';
  /** Scope the credential must carry (403 otherwise). Default: `stream` for upgrades, none else. */
  scope?: ApiKeyScope;
  /** An API key from the request body (LibreTranslate's `api_key`). */
  bodyKey?: unknown;
  /**
   * `http` mode: a request without a credential passes as ANONYMOUS when AUTH_REQUIRED=false
   * (POST /translate). Otherwise the HTTP API always needs a key. Upgrades: always so.
   */
  anonymousWhenAuthOff?: boolean;
}

type Check =
  | { ok: true; principal: Principal }
  | { ok: false; status: 401 | 403; reason: string; unknownKey?: true };

/** Unknown keys served as anonymous are logged once each; this many are remembered. */
const LOGGED_UNKNOWN_KEYS = 1000;

/**
 * Decides a request before it does anything: Origin allowlist (403), then the API key or session
 * token (401/403). Failed authentications are counted per client address (TRUSTED_PROXIES decides
 * which address that is) and per presented credential; past AUTH_FAILURE_LIMIT a failure is
 * answered 429. The counters limit failures only: a credential that verifies is never refused by
 * them, so one client behind the same proxy cannot lock everybody else out. Never throws (503 when
 * the key store is unavailable); never logs a credential.
 */
@Injectable()
export class UpgradeAuthService {
  private readonly logger = new Logger('Auth');
  private readonly origins: ReadonlySet<string>;
  private readonly trusted: BlockList | undefined;
  private readonly loggedUnknown = new Set<string>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(TOKEN_CODEC) private readonly codec: JwtCodec,
    private readonly apiKeys: ApiKeyService,
    private readonly store: SecurityStoreService,
    private readonly revocations: RevocationService,
    private readonly metrics: SecurityMetrics,
  ) {
    this.origins = new Set(config.security.allowedOrigins);
    this.trusted =
      config.security.trustedProxies.length > 0
        ? trustedProxyList(config.security.trustedProxies)
        : undefined;
  }

  get authRequired(): boolean {
    return this.config.security.authRequired;
  }

  /** True when the request's Origin (if any) may connect. Non-browser clients send none. */
  originAllowed(origin: string | undefined): boolean {
    return origin === undefined || this.origins.size === 0 || this.origins.has(origin);
  }

  /** The client's address as the failure counters see it. */
  clientAddress(request: IncomingMessage): string {
    return clientIp(request, this.trusted);
  }

  /** The request came through a trusted proxy: its X-Forwarded-Host/-Proto may be believed. */
  viaTrustedProxy(request: IncomingMessage): boolean {
    return fromTrustedProxy(request, this.trusted);
  }

  /** `apiKeyOnly` (POST /v1/tokens) is the `http` mode. */
  async authorize(
    request: IncomingMessage,
    how: boolean | AuthRequest = false,
  ): Promise<AuthDecision> {
    const options: AuthRequest =
      typeof how === 'boolean' ? { mode: how ? 'http' : 'upgrade' } : how;
    const decision = await this.decide(request, options).catch((error: unknown) => {
      this.logger.warn(`Authentication unavailable: ${(error as Error).message}`);
      return {
        ok: false,
        status: 503,
        reason: 'authentication is unavailable: try again later',
      } as const;
    });
    if (options.mode === 'upgrade') {
      this.metrics.upgrade(decision.ok ? decision.principal.via : String(decision.status));
    }
    return decision;
  }

  private credentialOf(
    request: IncomingMessage,
    options: AuthRequest,
  ): PresentedCredential | undefined | 'conflict' | 'malformed' {
    const presented = presentedCredential(request);
    if (options.bodyKey === undefined || options.bodyKey === null || options.bodyKey === '') {
      return presented;
    }
    if (typeof options.bodyKey !== 'string') return 'malformed';
    const body: PresentedCredential = { value: options.bodyKey, source: 'authorization' };
    if (presented === undefined) return body;
    if (typeof presented === 'object' && presented.value === body.value) return presented;
    return 'conflict';
  }

  private async decide(request: IncomingMessage, options: AuthRequest): Promise<AuthDecision> {
    const security = this.config.security;
    if (options.mode === 'upgrade' && !this.originAllowed(request.headers.origin)) {
      const origin = JSON.stringify(request.headers.origin).slice(0, 200);
      this.logger.warn(`Refused an upgrade from Origin ${origin}`);
      return { ok: false, status: 403, reason: 'origin not allowed' };
    }
    const credential = this.credentialOf(request, options);
    // Without a credential where none is needed: nothing to check, and no Redis round trip.
    const anonymousAllowed =
      !security.authRequired && (options.mode === 'upgrade' || options.anonymousWhenAuthOff);
    if (credential === undefined && anonymousAllowed) {
      return { ok: true, principal: ANONYMOUS };
    }
    const ip = this.clientAddress(request);
    // An address over the failure limit gets no key lookup (database, negative cache) at all:
    // only a key already in the positive cache is still checked.
    if (
      typeof credential === 'object' &&
      !looksLikeJwt(credential.value) &&
      !(await this.apiKeys.cached(credential.value))
    ) {
      const [failures] = await this.store.failures([`ip:${ip}`]);
      if (failures !== undefined && failures >= security.authFailureLimit) {
        return {
          ok: false,
          status: 429,
          reason: 'too many failed authentications: wait and retry',
        };
      }
    }
    const checked = await this.check(credential, options);
    if (checked.ok || checked.status === 403) return checked;
    // As local OpenAI-compatible servers do: SDKs insist on some key, so with auth off a key
    // nobody issued is served as anonymous. A revoked one is still refused (check() said so).
    if (anonymousAllowed && checked.unknownKey && typeof credential === 'object') {
      this.logUnknownOnce(credential.value);
      return { ok: true, principal: ANONYMOUS };
    }

    // A failure: counted per client address and per presented credential (its hash: counting
    // per unverified token `sub` would let anyone lock a key out with forged tokens).
    const subjects = [`ip:${ip}`];
    if (typeof credential === 'object') subjects.push(`key:${credentialLabel(credential.value)}`);
    const counts = await this.store.failures(subjects);
    if (counts.some((count) => count >= security.authFailureLimit)) {
      return { ok: false, status: 429, reason: 'too many failed authentications: wait and retry' };
    }
    await this.store.recordFailure(subjects, security.authFailureWindowSeconds);
    this.logger.warn(
      `Refused ${options.mode === 'upgrade' ? 'an upgrade' : 'a request'} from ${ip}: ${checked.reason}`,
    );
    return checked;
  }

  private async check(
    credential: PresentedCredential | undefined | 'conflict' | 'malformed',
    options: AuthRequest,
  ): Promise<Check> {
    const fail = (reason: string): Check => ({ ok: false, status: 401, reason });
    if (credential === undefined) {
      return fail(
        options.mode === 'upgrade'
          ? 'authentication required: API key or token (Authorization or bearer.<token> subprotocol)'
          : 'a valid API key is required: Authorization: Bearer <key>',
      );
    }
    if (credential === 'conflict') return fail('more than one credential given');
    if (credential === 'malformed') return fail('malformed credential');
    const scope = options.scope ?? (options.mode === 'upgrade' ? 'stream' : undefined);

    if (looksLikeJwt(credential.value)) {
      if (options.mode === 'http')
        return fail('an API key is required: Authorization: Bearer <key>');
      return this.checkToken(credential.value, scope);
    }
    // API keys never travel in URLs (browser history, proxy logs): only session tokens may.
    if (credential.source === 'query') {
      return fail('API keys are not accepted in the URL: use Authorization or a session token');
    }
    if (options.mode === 'http' && credential.source === 'protocol') {
      return fail('an API key is required: Authorization: Bearer <key>');
    }
    const key = await this.apiKeys.verify(credential.value);
    if (!key) {
      if (!this.config.security.authRequired && !(await this.apiKeys.revoked(credential.value))) {
        return { ok: false, status: 401, reason: 'unknown API key', unknownKey: true };
      }
      return fail('invalid or revoked API key');
    }
    if (scope && !hasScope(key, scope) && !(scope === 'transcripts' && hasScope(key, 'admin'))) {
      return { ok: false, status: 403, reason: `this API key lacks the ${scope} scope` };
    }
    return {
      ok: true,
      principal: { keyId: key.id, via: 'api_key', scopes: key.scopes, limits: key.limits },
    };
  }

  private logUnknownOnce(key: string): void {
    const label = credentialLabel(key);
    if (this.loggedUnknown.has(label)) return;
    if (this.loggedUnknown.size >= LOGGED_UNKNOWN_KEYS) this.loggedUnknown.clear();
    this.loggedUnknown.add(label);
    this.logger.warn(
      `An API key nobody issued (${label}) is served as anonymous: AUTH_REQUIRED=false`,
    );
  }

  private async checkToken(token: string, scope: ApiKeyScope | undefined): Promise<Check> {
    const fail = (reason: string): Check => ({ ok: false, status: 401, reason });
    let claims;
    try {
      claims = await this.codec.verify(token);
    } catch (error) {
      if (error instanceof TokenError) return fail(`token ${error.reason.replace(/_/g, ' ')}`);
      throw error;
    }
    const scopes = claims.scope.split(' ');
    if (scope && !scopes.includes(scope)) return fail(`token lacks the ${scope} scope`);
    // The key must still be active: revocation markers, then the database on a miss.
    if (
      (await this.revocations.isRevoked(claims.sub)) ||
      !(await this.apiKeys.isActive(claims.sub))
    ) {
      return fail('the key of this token was revoked');
    }
    if (
      this.config.security.tokenSingleUse &&
      !(await this.store.useTokenOnce(claims.jti, claims.exp))
    ) {
      return fail('token already used');
    }
    return {
      ok: true,
      principal: {
        keyId: claims.sub,
        via: 'token',
        scopes,
        limits: limitsFromClaim(claims.lim),
      },
    };
  }
}
