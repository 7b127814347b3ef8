import { Module } from '@nestjs/common';

/** WebSocket streaming, VAD segmentation, sessions and result delivery. */
@Module({})
export class GatewayModule {}
