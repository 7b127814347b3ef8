import { Module } from '@nestjs/common';
import { RedisModule } from '../redis/redis.module';
import { QueueMetrics } from './queue.metrics';
import { QueueService } from './queue.service';
import { WorkerFactory } from './worker.factory';

/** BullMQ queues (producers) and workers (consumers) over the Redis connections. */
@Module({
  imports: [RedisModule],
  providers: [QueueService, QueueMetrics, WorkerFactory],
  exports: [QueueService, WorkerFactory],
})
export class QueuesModule {}
