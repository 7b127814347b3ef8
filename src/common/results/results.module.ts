import { Global, Module } from '@nestjs/common';
import { AudioStoreService } from './audio-store.service';
import { ResultStreamService } from './result-stream.service';
import { UtteranceRevisionsService } from './utterance-revisions.service';

@Global()
@Module({
  providers: [ResultStreamService, AudioStoreService],
  exports: [ResultStreamService, AudioStoreService],
})
export class ResultsModule {}
