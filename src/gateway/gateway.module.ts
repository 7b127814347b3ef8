import { Module } from '@nestjs/common';
import { HealthModule } from '../common/health/health.module';
import { QueuesModule } from '../common/queues/queues.module';
import { RedisModule } from '../common/redis/redis.module';
import { UtteranceModule } from '../utterance/utterance.module';
import { PersistenceModule } from '../persistence/persistence.module';
import { RoomsModule } from '../rooms/rooms.module';
import { SecurityModule } from '../security/security.module';
import { ResultReaderService } from '../utterance/result-reader.service';
import { GatewayMetrics } from './gateway.metrics';
import { LoadMonitorService } from './pipeline/load-monitor.service';
import { SessionRecordsService } from './session-store/session-records.service';
import { SessionStoreService } from './session-store/session-store.service';
import { WsServerService } from './ws/ws-server.service';
import { SESSION_DEPS_PROVIDER } from './session-core/session-deps.provider';
import { TurnAudioModelService } from './turn-model/turn-audio-model.service';
import { SEGMENTER_PROVIDER, VadModule } from './segmenter.provider';

/**
 * WebSocket streaming, VAD segmentation, sessions and result delivery. PersistenceModule is the
 * same (single) instance PersistenceApiModule imports: usage and archive batches are shared.
 */
@Module({
  imports: [
    RedisModule,
    QueuesModule,
    UtteranceModule,
    HealthModule,
    VadModule,
    PersistenceModule,
    SecurityModule,
    RoomsModule,
  ],
  providers: [
    GatewayMetrics,
    LoadMonitorService,
    SessionStoreService,
    SessionRecordsService,
    ResultReaderService,
    SEGMENTER_PROVIDER,
    TurnAudioModelService,
    SESSION_DEPS_PROVIDER,
    WsServerService,
  ],
})
export class GatewayModule {}
