import { Module } from '@nestjs/common';
import { SecurityModule } from '../security/security.module';
import { TranslationDirectory } from '../translation/translation-directory.service';
import { ReplyWaiter } from './reply-waiter.service';
import { TranslationApiController } from './translation-api.controller';
import { TranslationApiService } from './translation-api.service';

/**
 * LibreTranslate-compatible HTTP API (POST /translate, GET /languages) on the gateway's public
 * port. It runs no engine: requests go through the translation queue to the translation role.
 */
@Module({
  imports: [SecurityModule],
  controllers: [TranslationApiController],
  providers: [TranslationDirectory, ReplyWaiter, TranslationApiService],
})
export class TranslationApiModule {}
