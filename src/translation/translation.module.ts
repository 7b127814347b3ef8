import { Module } from '@nestjs/common';

/** Translation workers consuming the translation queue. */
@Module({})
export class TranslationModule {}
