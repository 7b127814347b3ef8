import { Module } from '@nestjs/common';
import { PersistenceModule } from '../persistence/persistence.module';
import { SecurityModule } from '../security/security.module';
import { ApiKeyGuard } from './api-key.guard';
import { SessionsController } from './sessions.controller';
import { UsageController } from './usage.controller';

/** Transcript and usage HTTP API, served by the gateway role on GATEWAY_PORT. */
@Module({
  imports: [PersistenceModule, SecurityModule],
  controllers: [SessionsController, UsageController],
  providers: [ApiKeyGuard],
})
export class PersistenceApiModule {}
