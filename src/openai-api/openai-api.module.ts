import { Module } from '@nestjs/common';
import { QueuesModule } from '../common/queues/queues.module';
import { RedisModule } from '../common/redis/redis.module';
import { UtteranceModule } from '../utterance/utterance.module';
import { ResultReaderService } from '../utterance/result-reader.service';
import { PersistenceModule } from '../persistence/persistence.module';
import { SecurityModule } from '../security/security.module';
import { VadModule } from '../vad';
import { AudioDecoder } from './audio-decoder';
import { AudioUploadsService } from './audio-uploads.service';
import { FileTranscriptionService } from './file-transcription.service';
import { OpenAiCallersService } from './openai-callers.service';
import { OpenAiAudioController } from './openai-audio.controller';

/**
 * OpenAI-compatible audio API (docs/openai-api.md) on the gateway's port. It runs no engine: the
 * VAD cuts uploads into utterances that go through the stt queue below live speech. Its own
 * ResultReaderService instance reads the uploads' result streams beside the sessions' one.
 */
@Module({
  imports: [
    RedisModule,
    QueuesModule,
    UtteranceModule,
    VadModule,
    PersistenceModule,
    SecurityModule,
  ],
  controllers: [OpenAiAudioController],
  providers: [
    AudioDecoder,
    AudioUploadsService,
    ResultReaderService,
    FileTranscriptionService,
    OpenAiCallersService,
  ],
})
export class OpenAiApiModule {}
