import { Module } from '@nestjs/common';
import { HealthModule } from '../common/health/health.module';
import { QueuesModule } from '../common/queues/queues.module';
import { RedisModule } from '../common/redis/redis.module';
import { UtteranceModule } from '../utterance/utterance.module';
import { NativeWhisperEngine } from './engine/native-whisper.engine';
import { WHISPER_ENGINE } from './engine/whisper-engine';
import { InterimAgreementService } from './interim-agreement.service';
import { SessionContextService } from './session-context.service';
import { SttJobService } from './stt-job.service';
import { SttProcessor } from './stt.processor';
import { SttMetrics } from './stt.metrics';
import { SttTranscriberService } from './stt-transcriber.service';

/** whisper.cpp workers consuming the stt queue. */
@Module({
  imports: [RedisModule, QueuesModule, UtteranceModule, HealthModule],
  providers: [
    { provide: WHISPER_ENGINE, useClass: NativeWhisperEngine },
    SttTranscriberService,
    SttJobService,
    SessionContextService,
    InterimAgreementService,
    SttMetrics,
    SttProcessor,
  ],
})
export class SttModule {}
