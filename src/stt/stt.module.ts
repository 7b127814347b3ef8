import { Module } from '@nestjs/common';
import { NativeWhisperEngine } from './engine/native-whisper.engine';
import { WHISPER_ENGINE } from './engine/whisper-engine';
import { InterimAgreementService } from './interim-agreement.service';
import { SessionContextService } from './session-context.service';
import { SttJobService } from './stt-job.service';
import { SttProcessor } from './stt.processor';
import { SttMetrics } from './stt.metrics';
import { SttTranscriber } from './stt-transcriber.service';

/** whisper.cpp workers consuming the stt queue. */
@Module({
  providers: [
    { provide: WHISPER_ENGINE, useClass: NativeWhisperEngine },
    SttTranscriber,
    SttJobService,
    SessionContextService,
    InterimAgreementService,
    SttMetrics,
    SttProcessor,
  ],
  exports: [WHISPER_ENGINE, SttMetrics],
})
export class SttModule {}
