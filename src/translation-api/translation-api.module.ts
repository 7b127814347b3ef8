import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { QueuesModule } from '../common/queues/queues.module';
import { RedisModule } from '../common/redis/redis.module';
import { SecurityModule } from '../security/security.module';
import { TranslationDirectoryModule } from '../translation';
import { MultipartSizeGuard } from './multipart-size.guard';
import { ReplyWaiterService } from './reply-waiter.service';
import { TranslationApiController } from './translation-api.controller';
import { TranslationApiService } from './translation-api.service';

/**
 * LibreTranslate-compatible HTTP API (POST /translate, POST /detect, GET /languages, GET
 * /frontend/settings) on the gateway's public port. It runs no engine: requests go through the
 * translation queue to the translation role.
 */
@Module({
  imports: [
    RedisModule,
    QueuesModule,
    SecurityModule,
    TranslationDirectoryModule,
    // Multipart bodies: fields only, only as many as a request of TRANSLATE_MAX_ITEMS texts plus
    // its named fields needs (MultipartSizeGuard holds the whole body to MAX_BODY_BYTES).
    MulterModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        limits: {
          files: 0,
          fieldSize: config.security.maxBodyBytes,
          fields: config.security.translateMaxItems + 8,
        },
      }),
    }),
  ],
  controllers: [TranslationApiController],
  providers: [ReplyWaiterService, TranslationApiService, MultipartSizeGuard],
})
export class TranslationApiModule {}
