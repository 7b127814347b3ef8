import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RedisModule } from '../redis/redis.module';
import { HealthController } from './health.controller';
import { ReadinessRegistry } from './readiness.registry';

/** GET /health/live and /health/ready; services register their readiness checks here. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), RedisModule],
  controllers: [HealthController],
  providers: [ReadinessRegistry],
  exports: [ReadinessRegistry],
})
export class HealthModule {}
