import { Module } from '@nestjs/common';
import { RedisModule } from '../common/redis/redis.module';
import { TranslationDirectory } from './translation-directory.service';

/** The directory of served language pairs: written by translation workers, read by gateways. */
@Module({
  imports: [RedisModule],
  providers: [TranslationDirectory],
  exports: [TranslationDirectory],
})
export class TranslationDirectoryModule {}
