import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { QueuesModule } from './queues/queues.module';
import { RedisModule } from './redis/redis.module';
import { ResultsModule } from './results/results.module';

/** What every role stands on: configuration, Redis, queues, result streams, health and metrics. */
@Module({})
export class CommonModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CommonModule,
      imports: [
        ConfigModule.forRoot(config),
        RedisModule,
        QueuesModule,
        ResultsModule,
        HealthModule,
        MetricsModule,
      ],
    };
  }
}
