import { Module } from '@nestjs/common';
import { TranslationDirectory } from './translation-directory.service';

/** The directory of served language pairs: written by translation workers, read by gateways. */
@Module({
  providers: [TranslationDirectory],
  exports: [TranslationDirectory],
})
export class TranslationDirectoryModule {}
