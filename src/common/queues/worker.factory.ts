import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Job, Worker, WorkerOptions } from 'bullmq';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { RedisConnectionFactory } from '../redis/redis-connection.factory';
import { JobPayloads } from './job-payloads';
import { QueueName } from './queue-names';

export type JobHandler<N extends QueueName> = (job: Job<JobPayloads[N]>) => Promise<unknown>;

/**
 * Creates the BullMQ workers of this process, one handler per queue (checked here), with lock and
 * stall settings tuned for live speech. Workers are closed gracefully at shutdown: the job in
 * hand finishes, nothing new is taken.
 */
@Injectable()
export class WorkerFactory implements OnApplicationShutdown {
  private readonly logger = new Logger('Workers');
  private readonly workers = new Map<QueueName, Worker>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redis: RedisConnectionFactory,
  ) {}

  start<N extends QueueName>(
    name: N,
    handler: JobHandler<N>,
    options: Partial<WorkerOptions> = {},
  ): Worker<JobPayloads[N]> {
    if (this.workers.has(name)) {
      throw new Error(`Queue "${name}" already has a handler in this process`);
    }
    const worker = new Worker<JobPayloads[N]>(name, handler, {
      connection: this.redis.bullConnection('blocking'),
      prefix: this.config.redis.prefix,
      lockDuration: this.config.queues.lockDurationMs,
      stalledInterval: this.config.queues.stalledIntervalMs,
      maxStalledCount: 1,
      ...options,
    });
    worker.on('error', (error: Error) => this.redis.logError(`worker ${name}`, error));
    worker.on('failed', (job, error) =>
      this.logger.warn(`Job ${name}/${job?.id ?? '?'} failed: ${error.message}`),
    );
    this.workers.set(name, worker as Worker);
    return worker;
  }

  isRunning(name: QueueName): boolean {
    const worker = this.workers.get(name);
    return worker !== undefined && worker.isRunning();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.workers.values()].map((worker) => worker.close()));
    this.workers.clear();
  }
}
