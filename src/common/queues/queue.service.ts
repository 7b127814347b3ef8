import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { JobsOptions, Queue } from 'bullmq';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { RedisConnectionFactory } from '../redis/redis-connection.factory';
import { defaultJobOptions } from './job-defaults';
import { JobPayloads } from '../../contracts/job-payloads';
import { QueueName } from '../../contracts/queue-names';

/** Producers for every queue. They fail fast while Redis is away instead of queueing in memory. */
@Injectable()
export class QueueService implements OnApplicationShutdown {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redis: RedisConnectionFactory,
  ) {}

  queue<N extends QueueName>(name: N): Queue<JobPayloads[N]> {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, {
        connection: this.redis.bullConnection('command'),
        prefix: this.config.redis.prefix,
        defaultJobOptions: defaultJobOptions(this.config),
      });
      queue.on('error', (error: Error) => this.redis.logError(`queue ${name}`, error));
      this.queues.set(name, queue);
    }
    return queue as Queue<JobPayloads[N]>;
  }

  async add<N extends QueueName>(
    name: N,
    jobName: string,
    data: JobPayloads[N],
    options?: JobsOptions,
  ): Promise<string> {
    const queue = this.queue(name) as Queue;
    const job = await queue.add(jobName, data, options);
    return job.id ?? '';
  }

  /** Jobs waiting or delayed: what backpressure and autoscaling look at. */
  async depth(name: QueueName): Promise<number> {
    return this.queue(name).getJobCountByTypes('wait', 'prioritized', 'delayed');
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    this.queues.clear();
  }
}
