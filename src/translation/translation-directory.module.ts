import { Module } from '@nestjs/common';
import { RedisModule } from '../common/redis/redis.module';
import { TranslationDirectoryService } from './translation-directory.service';

/** The directory of served language pairs: written by translation workers, read by gateways. */
@Module({
  imports: [RedisModule],
  providers: [TranslationDirectoryService],
  exports: [TranslationDirectoryService],
})
export class TranslationDirectoryModule {}
