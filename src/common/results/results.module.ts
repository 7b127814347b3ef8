import { Global, Module } from '@nestjs/common';
import { AudioStoreService } from './audio-store.service';
import { ResultStreamService } from './result-stream.service';
import { SpeculationVerdictsService } from './speculation-verdicts.service';
import { UtteranceRevisionsService } from './utterance-revisions.service';

const PROVIDERS = [
  ResultStreamService,
  AudioStoreService,
  UtteranceRevisionsService,
  SpeculationVerdictsService,
];

@Global()
@Module({ providers: PROVIDERS, exports: PROVIDERS })
export class ResultsModule {}
