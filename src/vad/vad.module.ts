import { Module } from '@nestjs/common';
import { HealthModule } from '../common/health/health.module';
import { VadService } from './vad.service';

/** Dual VAD (WebRTC + Silero) and utterance segmentation for the gateway. */
@Module({
  imports: [HealthModule],
  providers: [VadService],
  exports: [VadService],
})
export class VadModule {}
