import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '../common/config/app-config';
import { ConfigModule } from '../common/config/config.module';
import { RedisModule } from '../common/redis/redis.module';
import { PersistenceModule } from '../persistence/persistence.module';
import { CliCommandsService } from './cli-commands.service';

/** The operator CLI's context: the persistence services over the service's own config. */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [ConfigModule.forRoot(config), RedisModule, PersistenceModule],
      providers: [CliCommandsService],
    };
  }
}
