import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { Job, UnrecoverableError, Worker, WorkerOptions } from 'bullmq';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { RedisConnectionFactory } from '../redis/redis-connection.factory';
import { JobPayloads } from '../../contracts/job-payloads';
import { QueueMetrics } from './queue.metrics';
import { QueueName } from '../../contracts/queue-names';

export type JobHandler<N extends QueueName> = (job: Job<JobPayloads[N]>) => Promise<unknown>;

/** What a draining worker does once its deadline passed with jobs still in hand. */
export type DrainOutcome = 'finished' | 'handed_back';

/**
 * Waits for `closing` at most `deadlineMs`; after that, `handBack` runs (it returns the jobs still
 * in hand to their queue) and the result says so.
 */
export async function drainWithin(
  closing: Promise<unknown>,
  deadlineMs: number,
  handBack: () => Promise<void>,
): Promise<DrainOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const finished = await Promise.race([
    closing.then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), deadlineMs))),
  ]);
  clearTimeout(timer);
  if (finished) return 'finished';
  await handBack();
  return 'handed_back';
}

/** A job whose handler threw is failed for good (no retry follows) after this attempt. */
export function failsForGood(
  error: unknown,
  job: Pick<Job, 'attemptsMade'> & { opts: Pick<Job['opts'], 'attempts'> },
): boolean {
  return error instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/**
 * Creates the BullMQ workers of this process, one handler per queue (checked here), with lock and
 * stall settings tuned for live speech. At shutdown (before the HTTP server closes, so readiness
 * answers 503 meanwhile) the workers stop taking jobs and finish the ones in hand; jobs still
 * running after WORKER_DRAIN_MS are handed back to the queue for another worker, at once instead
 * of after a lock expiry.
 */
@Injectable()
export class WorkerFactory implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Workers');
  private readonly workers = new Map<QueueName, Worker>();
  /** Jobs in hand, with the lock token they were taken with. */
  private readonly active = new Map<string, { job: Job; token?: string }>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redis: RedisConnectionFactory,
    private readonly metrics: QueueMetrics,
  ) {}

  start<N extends QueueName>(
    name: N,
    handler: JobHandler<N>,
    options: Partial<WorkerOptions> = {},
  ): Worker<JobPayloads[N]> {
    if (this.workers.has(name)) {
      throw new Error(`Queue "${name}" already has a handler in this process`);
    }
    const tracked = async (job: Job<JobPayloads[N]>, token?: string): Promise<unknown> => {
      const key = `${name}:${job.id ?? ''}`;
      this.active.set(key, { job: job as Job, token });
      if (job.attemptsStarted <= 1) this.metrics.taken(name, job.timestamp);
      try {
        const result = await handler(job);
        this.metrics.finished(name, 'completed');
        return result;
      } catch (error) {
        if (failsForGood(error, job)) this.metrics.finished(name, 'failed');
        throw error;
      } finally {
        this.active.delete(key);
      }
    };
    const worker = new Worker<JobPayloads[N]>(name, tracked, {
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
    this.metrics.consuming(name);
    return worker;
  }

  isRunning(name: QueueName): boolean {
    const worker = this.workers.get(name);
    return worker !== undefined && worker.isRunning();
  }

  get activeJobs(): number {
    return this.active.size;
  }

  async beforeApplicationShutdown(): Promise<void> {
    const workers = [...this.workers.values()];
    if (workers.length === 0) return;
    const outcome = await drainWithin(
      Promise.all(workers.map((worker) => worker.close())),
      this.config.queues.drainMs,
      () => this.handBack(),
    );
    if (outcome === 'handed_back') {
      this.logger.warn('Jobs still running at the drain deadline were handed back to the queue');
    }
    this.workers.clear();
  }

  /** Returns every job in hand to its queue's wait list (its lock released), for another worker. */
  private async handBack(): Promise<void> {
    await Promise.all(
      [...this.active.values()].map(async ({ job, token }) => {
        try {
          await job.moveToWait(token);
          this.logger.warn(`Handed job ${job.queueName}/${job.id ?? '?'} back to the queue`);
        } catch (error) {
          // Redis away: the lock expires and another worker takes it over as a stalled job.
          this.logger.warn(`Could not hand back ${job.id ?? '?'}: ${(error as Error).message}`);
        }
      }),
    );
    this.active.clear();
  }
}
