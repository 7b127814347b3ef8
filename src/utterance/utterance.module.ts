import { Module } from '@nestjs/common';
import { RedisModule } from '../common/redis/redis.module';
import { AudioStoreService } from './audio-store.service';
import { ResultStreamService } from './result-stream.service';
import { SpeculationOffersService } from './speculation-offers.service';
import { SpeculationVerdictsService } from './speculation-verdicts.service';
import { UtteranceRevisionsService } from './utterance-revisions.service';

const PROVIDERS = [
  ResultStreamService,
  AudioStoreService,
  UtteranceRevisionsService,
  SpeculationVerdictsService,
  SpeculationOffersService,
];

/** What workers and gateways share about an utterance in Redis: results, audio, revisions, verdicts. */
@Module({ imports: [RedisModule], providers: PROVIDERS, exports: PROVIDERS })
export class UtteranceModule {}
