import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';

/**
 * What every role serves whatever its modules: the configuration, /health and /metrics. Redis,
 * queues and result streams come with the modules that use them (they import them by name).
 */
@Module({})
export class CommonModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CommonModule,
      imports: [ConfigModule.forRoot(config), HealthModule, MetricsModule],
    };
  }
}
