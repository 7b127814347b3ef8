import { Module } from '@nestjs/common';
import { HealthModule } from '../common/health/health.module';
import { RedisModule } from '../common/redis/redis.module';
import { UtteranceModule } from '../utterance/utterance.module';
import { ApiKeyCacheService } from './api-keys/api-key-cache.service';
import { ApiKeyStore } from './api-keys/api-key.store';
import { ApiKeyService } from './api-keys/api-key.service';
import { DatabaseService } from './database/database.service';
import { ArchiveStateStore } from './transcripts/archive-state.store';
import { TranscriptArchiveService } from './transcripts/transcript-archive.service';
import { TranscriptFormatService } from './transcripts/transcript-format.service';
import { TranscriptQueryService } from './transcripts/transcript-query.service';
import { TranscriptStore } from './transcripts/transcript.store';
import { TranscriptRetentionService } from './transcripts/transcript-retention.service';
import { UsageStore } from './usage/usage.store';
import { UsageService } from './usage/usage.service';

const EXPORTS = [
  DatabaseService,
  ApiKeyService,
  UsageService,
  TranscriptArchiveService,
  TranscriptQueryService,
  TranscriptRetentionService,
  TranscriptFormatService,
];

/**
 * The store of record (DATABASE_URL): API keys, usage, transcripts. Import it wherever keys are
 * checked or results archived; the gateway role serves its HTTP API through PersistenceApiModule.
 */
@Module({
  imports: [RedisModule, UtteranceModule, HealthModule],
  providers: [
    ...EXPORTS,
    ApiKeyStore,
    ApiKeyCacheService,
    UsageStore,
    TranscriptStore,
    ArchiveStateStore,
  ],
  exports: EXPORTS,
})
export class PersistenceModule {}
