import { Module } from '@nestjs/common';
import { RedisModule } from '../common/redis/redis.module';
import { PersistenceModule } from '../persistence/persistence.module';
import { GatewaySecurityService } from './gateway-security.service';
import { RevocationService } from './revocation.service';
import { SecurityMetrics } from './security.metrics';
import { SecurityStoreService } from './security-store.service';
import { SessionGuardService } from './session-guard.service';
import { TOKEN_CODEC_PROVIDER } from './token-codec.provider';
import { TokenIssuerService } from './token-issuer.service';
import { TokensController } from './tokens.controller';
import { UpgradeAuthService } from './upgrade-auth.service';

/** Authentication, tokens and per-connection limits of the gateway (docs/security.md). */
@Module({
  imports: [RedisModule, PersistenceModule],
  controllers: [TokensController],
  providers: [
    TOKEN_CODEC_PROVIDER,
    SecurityMetrics,
    SecurityStoreService,
    RevocationService,
    TokenIssuerService,
    UpgradeAuthService,
    SessionGuardService,
    GatewaySecurityService,
  ],
  exports: [GatewaySecurityService, UpgradeAuthService, SecurityStoreService, RevocationService],
})
export class SecurityModule {}
