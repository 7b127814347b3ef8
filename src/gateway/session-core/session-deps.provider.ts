import { type FactoryProvider } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../../common/config/app-config';
import { speechModelName } from '../../common/config/speech-model-name';
import { QueueService } from '../../common/queues/queue.service';
import { AudioStoreService } from '../../utterance/audio-store.service';
import { ResultReaderService } from '../../utterance/result-reader.service';
import { ResultStreamService } from '../../utterance/result-stream.service';
import { SpeculationOffersService } from '../../utterance/speculation-offers.service';
import { SpeculationVerdictsService } from '../../utterance/speculation-verdicts.service';
import { UtteranceRevisionsService } from '../../utterance/utterance-revisions.service';
import { GatewayMetrics } from '../gateway.metrics';
import { LoadMonitorService } from '../pipeline/load-monitor.service';
import { SEGMENTER_FACTORY, type SegmenterFactory } from '../pipeline/segmenter.port';
import { SessionRecordsService } from '../session-store/session-records.service';
import { SessionStoreService } from '../session-store/session-store.service';
import { TurnAudioModelService } from '../turn-model/turn-audio-model.service';
import { type SessionDeps } from './session-port';

export const SESSION_DEPS = Symbol('SESSION_DEPS');

/**
 * What every LiveSession of this gateway shares (SessionDeps), built once from the services and
 * the configuration: the WebSocket server and its adapters take this one object.
 */
export const SESSION_DEPS_PROVIDER: FactoryProvider<SessionDeps> = {
  provide: SESSION_DEPS,
  inject: [
    APP_CONFIG,
    SessionStoreService,
    AudioStoreService,
    ResultStreamService,
    UtteranceRevisionsService,
    QueueService,
    LoadMonitorService,
    ResultReaderService,
    SEGMENTER_FACTORY,
    GatewayMetrics,
    SessionRecordsService,
    SpeculationVerdictsService,
    SpeculationOffersService,
    TurnAudioModelService,
  ],
  useFactory: (
    config: AppConfig,
    store: SessionStoreService,
    audio: AudioStoreService,
    results: ResultStreamService,
    revisions: UtteranceRevisionsService,
    queues: QueueService,
    load: LoadMonitorService,
    reader: ResultReaderService,
    segmenters: SegmenterFactory,
    metrics: GatewayMetrics,
    records: SessionRecordsService,
    verdicts: SpeculationVerdictsService,
    offers: SpeculationOffersService,
    turnAudio: TurnAudioModelService,
  ): SessionDeps => ({
    store,
    audio,
    results,
    revisions,
    queues,
    load,
    reader,
    segmenters,
    metrics,
    records,
    verdicts,
    offers,
    turnMinConfidence: config.vad.turns.minConfidence,
    turnAudio,
    turnTiming: {
      mode: config.vad.turns.mode,
      silenceMs: config.vad.silenceThresholdSeconds * 1000,
      minSilenceMs: config.vad.turns.minSilenceMs,
      maxSilenceMs: config.vad.turns.maxSilenceMs,
    },
    speculation: {
      enabled: config.vad.speculativeSilenceSeconds > 0,
      maxQueueDepth: config.gateway.speculationMaxQueueDepth,
    },
    interimIntervalMs: config.vad.sttSendIntervalSeconds * 1000,
    defaultSampleRate: config.vad.sampleRate,
    sessionTtlSeconds: config.gateway.sessionTtlSeconds,
    instanceId: randomUUID().slice(0, 8),
    modelName: speechModelName(config.stt),
  }),
};
