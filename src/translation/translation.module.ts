import { Module } from '@nestjs/common';
import { APP_CONFIG } from '../common/config/app-config';
import { TranslationDirectory } from './translation-directory.service';
import {
  defaultModelLoader,
  MODEL_LOADER,
  TranslationEngines,
} from './translation-engines.service';
import { TranslationMetrics } from './translation-metrics';
import { TranslationService } from './translation.service';
import { TranslationWorker } from './translation.worker';

/** Translation workers consuming the translation queue. */
@Module({
  providers: [
    TranslationMetrics,
    { provide: MODEL_LOADER, inject: [APP_CONFIG], useFactory: defaultModelLoader },
    TranslationEngines,
    TranslationDirectory,
    TranslationService,
    TranslationWorker,
  ],
  exports: [TranslationEngines],
})
export class TranslationModule {}
