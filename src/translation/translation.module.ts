import { Module } from '@nestjs/common';
import { APP_CONFIG } from '../common/config/app-config';
import { HealthModule } from '../common/health/health.module';
import { QueuesModule } from '../common/queues/queues.module';
import { RedisModule } from '../common/redis/redis.module';
import { UtteranceModule } from '../utterance/utterance.module';
import { TranslationDirectoryModule } from './translation-directory.module';
import {
  defaultModelLoader,
  MODEL_LOADER,
  TranslationEnginesService,
} from './translation-engines.service';
import { TranslationMetrics } from './translation.metrics';
import { TranslationService } from './translation.service';
import { TranslationProcessor } from './translation.processor';

/** Translation workers consuming the translation queue. */
@Module({
  imports: [RedisModule, QueuesModule, UtteranceModule, HealthModule, TranslationDirectoryModule],
  providers: [
    TranslationMetrics,
    { provide: MODEL_LOADER, inject: [APP_CONFIG], useFactory: defaultModelLoader },
    TranslationEnginesService,
    TranslationService,
    TranslationProcessor,
  ],
})
export class TranslationModule {}
