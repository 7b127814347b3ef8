import { Module } from '@nestjs/common';
import { ResultReaderService } from './delivery/result-reader.service';
import { GatewayMetrics } from './gateway-metrics.service';
import { LoadMonitorService } from './pipeline/load-monitor.service';
import { SessionStoreService } from './session/session-store.service';
import { WsServerService } from './ws/ws-server.service';
import { SEGMENTER_PROVIDER, VadModule } from './segmenter.provider';

/** WebSocket streaming, VAD segmentation, sessions and result delivery. */
@Module({
  imports: [VadModule],
  providers: [
    GatewayMetrics,
    LoadMonitorService,
    SessionStoreService,
    ResultReaderService,
    SEGMENTER_PROVIDER,
    WsServerService,
  ],
})
export class GatewayModule {}
