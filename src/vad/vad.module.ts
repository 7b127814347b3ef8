import { Module } from '@nestjs/common';
import { VadService } from './vad.service';

/** Dual VAD (WebRTC + Silero) and utterance segmentation for the gateway. */
@Module({
  providers: [VadService],
  exports: [VadService],
})
export class VadModule {}
