import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '../common/config/app-config';
import { ConfigModule } from '../common/config/config.module';
import { RedisModule } from '../common/redis/redis.module';
import { PersistenceModule } from '../persistence/persistence.module';
import { AdminCommandsService } from './admin-commands.service';

/** The admin tool's context: the persistence services over the service's own config. */
@Module({})
export class AdminModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AdminModule,
      imports: [ConfigModule.forRoot(config), RedisModule, PersistenceModule],
      providers: [AdminCommandsService],
    };
  }
}
