import { Global, Module } from '@nestjs/common';
import { QueueService } from './queue.service';
import { WorkerFactory } from './worker.factory';

@Global()
@Module({ providers: [QueueService, WorkerFactory], exports: [QueueService, WorkerFactory] })
export class QueuesModule {}
