import { Inject, Injectable, Logger } from '@nestjs/common';
import { IncomingMessage } from 'node:http';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { ApiKeyService } from '../persistence/api-keys/api-key.service';
import { hasScope } from '../persistence/api-keys/api-key.types';
import { clientIp, presentedCredential } from './credentials';
import { JwtCodec, looksLikeJwt, TokenError } from './jwt';
import { ANONYMOUS, AuthDecision, limitsFromClaim } from './principal';
import { RevocationService } from './revocation.service';
import { credentialLabel, SecurityStoreService } from './security-store.service';
import { SecurityMetrics } from './security-metrics.service';
import { TOKEN_CODEC } from './token-codec.provider';

/**
 * Decides an HTTP upgrade before the socket opens: Origin allowlist (403), failed-auth rate
 * limits per IP and per presented key (429), then the API key or session token (401). Never
 * throws; never logs a credential.
 */
@Injectable()
export class UpgradeAuthService {
  private readonly logger = new Logger('Auth');
  private readonly origins: ReadonlySet<string>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(TOKEN_CODEC) private readonly codec: JwtCodec,
    private readonly apiKeys: ApiKeyService,
    private readonly store: SecurityStoreService,
    private readonly revocations: RevocationService,
    private readonly metrics: SecurityMetrics,
  ) {
    this.origins = new Set(config.security.allowedOrigins);
  }

  /** True when the request's Origin (if any) may connect. Non-browser clients send none. */
  originAllowed(origin: string | undefined): boolean {
    return origin === undefined || this.origins.size === 0 || this.origins.has(origin);
  }

  /**
   * `apiKeyOnly`: only an API key in `Authorization` is accepted (POST /v1/tokens); no Origin
   * check there (servers call it; browsers never hold API keys).
   */
  async authorize(request: IncomingMessage, apiKeyOnly = false): Promise<AuthDecision> {
    const decision = await this.decide(request, apiKeyOnly).catch((error: unknown) => {
      this.logger.warn(`Authentication unavailable: ${(error as Error).message}`);
      return {
        ok: false,
        status: 503,
        reason: 'authentication is unavailable: try again later',
      } as const;
    });
    if (!apiKeyOnly) {
      this.metrics.upgrade(decision.ok ? decision.principal.via : String(decision.status));
    }
    return decision;
  }

  private async decide(request: IncomingMessage, apiKeyOnly: boolean): Promise<AuthDecision> {
    const security = this.config.security;
    const origin = request.headers.origin;
    if (!apiKeyOnly && !this.originAllowed(origin)) {
      this.logger.warn(`Refused an upgrade from Origin ${JSON.stringify(origin).slice(0, 200)}`);
      return { ok: false, status: 403, reason: 'origin not allowed' };
    }
    const ip = clientIp(request);
    const credential = presentedCredential(request);
    // Development mode without a credential: nothing to check, and no Redis round trip.
    if (credential === undefined && !security.authRequired && !apiKeyOnly) {
      return { ok: true, principal: ANONYMOUS };
    }
    const subjects = [`ip:${ip}`];
    // Per presented credential (its hash): counting per unverified token `sub` would let anyone
    // lock a key out with forged tokens.
    if (typeof credential === 'object') subjects.push(`key:${credentialLabel(credential.value)}`);
    const counts = await this.store.failures(subjects);
    if (counts.some((count) => count >= security.authFailureLimit)) {
      return { ok: false, status: 429, reason: 'too many failed authentications: wait and retry' };
    }
    const fail = async (reason: string): Promise<AuthDecision> => {
      await this.store.recordFailure(subjects, security.authFailureWindowSeconds);
      this.logger.warn(`Refused an upgrade from ${ip}: ${reason}`);
      return { ok: false, status: 401, reason };
    };
    if (credential === undefined) {
      return fail(
        'authentication required: API key or token (Authorization, bearer.<token> subprotocol or ?token=)',
      );
    }
    if (credential === 'conflict') return fail('more than one credential given');
    if (credential === 'malformed') return fail('malformed credential');

    if (apiKeyOnly && (credential.source !== 'authorization' || looksLikeJwt(credential.value))) {
      return fail('an API key is required: Authorization: Bearer <key>');
    }
    if (looksLikeJwt(credential.value)) {
      let claims;
      try {
        claims = this.codec.verify(credential.value);
      } catch (error) {
        if (error instanceof TokenError) return fail(`token ${error.reason.replace(/_/g, ' ')}`);
        throw error;
      }
      if (!claims.scope.split(' ').includes('stream')) return fail('token lacks the stream scope');
      if (await this.revocations.isRevoked(claims.sub))
        return fail('the key of this token was revoked');
      if (security.tokenSingleUse && !(await this.store.useTokenOnce(claims.jti, claims.exp))) {
        return fail('token already used');
      }
      return {
        ok: true,
        principal: {
          keyId: claims.sub,
          via: 'token',
          scopes: claims.scope.split(' '),
          limits: limitsFromClaim(claims.lim),
        },
      };
    }
    const key = await this.apiKeys.verify(credential.value);
    if (!key) return fail('invalid or revoked API key');
    if (!hasScope(key, 'stream')) {
      return { ok: false, status: 403, reason: 'this API key lacks the stream scope' };
    }
    return {
      ok: true,
      principal: { keyId: key.id, via: 'api_key', scopes: key.scopes, limits: key.limits },
    };
  }
}
