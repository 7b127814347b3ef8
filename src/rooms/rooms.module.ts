import { Module } from '@nestjs/common';
import { RedisModule } from '../common/redis/redis.module';
import { SecurityModule } from '../security/security.module';
import { TranslationDirectoryModule } from '../translation';
import { RoomAccessService } from './room-access.service';
import { RoomHubService } from './room-hub.service';
import { RoomListenersService } from './room-listeners.service';
import { RoomPublisherService } from './room-publisher.service';
import { RoomStoreService } from './room-store.service';
import { RoomsController } from './rooms.controller';
import { RoomsService } from './rooms.service';

const EXPORTED = [RoomsService, RoomPublisherService, RoomListenersService, RoomStoreService];

/** Live rooms (docs/rooms.md): part of the gateway role. */
@Module({
  imports: [RedisModule, SecurityModule, TranslationDirectoryModule],
  controllers: [RoomsController],
  providers: [...EXPORTED, RoomAccessService, RoomHubService],
  exports: EXPORTED,
})
export class RoomsModule {}
