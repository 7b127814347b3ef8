import { Module } from '@nestjs/common';

/** whisper.cpp workers consuming the stt queue. */
@Module({})
export class SttModule {}
