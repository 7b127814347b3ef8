import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { JwtCodec } from './jwt';
import { Principal } from './principal';
import { SecurityMetrics } from './security.metrics';
import { TOKEN_CODEC } from './token-codec.provider';

/** What POST /v1/tokens answers and the `token` frame carries. */
export interface IssuedToken {
  token: string;
  token_type: 'Bearer';
  expires_in: number;
  expires_at: string;
}

export class TokenSigningUnavailable extends Error {
  constructor() {
    super('session tokens are not available: no signing key is configured (JWT_SECRET)');
  }
}

/** Short-lived session tokens for a key (browsers connect with them; never with the key). */
@Injectable()
export class TokenIssuerService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(TOKEN_CODEC) private readonly codec: JwtCodec,
    private readonly metrics: SecurityMetrics,
  ) {}

  get available(): boolean {
    return this.codec.canSign;
  }

  async issue(principal: Principal, path: 'http' | 'refresh'): Promise<IssuedToken> {
    if (!this.codec.canSign || principal.keyId === null) throw new TokenSigningUnavailable();
    const ttl = this.config.security.tokenTtlSeconds;
    const { token, claims } = await this.codec.issue(
      principal.keyId,
      principal.scopes.join(' '),
      ttl,
      Date.now(),
      { ...principal.limits },
    );
    this.metrics.issued(path);
    return {
      token,
      token_type: 'Bearer',
      expires_in: ttl,
      expires_at: new Date(claims.exp * 1000).toISOString(),
    };
  }
}
