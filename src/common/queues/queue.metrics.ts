import { Injectable } from '@nestjs/common';
import { counter, histogram } from '../metrics/registered-metrics';
import { QueueName } from '../../contracts/queue-names';

export type JobStatus = 'completed' | 'failed';

/** What the workers of this process did with their queues' jobs. */
@Injectable()
export class QueueMetrics {
  private readonly jobs = counter({
    name: 'rt_jobs_total',
    help: 'Finished jobs by queue and status (failed: after its last attempt)',
    labelNames: ['queue', 'status'],
  });
  private readonly wait = histogram({
    name: 'rt_queue_wait_seconds',
    help: 'Time from enqueue to a worker taking the job (first attempt)',
    labelNames: ['queue'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  });

  /** Zero series for a consumed queue, so rates and ratios over them exist from the start. */
  consuming(queue: QueueName): void {
    for (const status of ['completed', 'failed'] as const) this.jobs.inc({ queue, status }, 0);
    this.wait.zero({ queue });
  }

  taken(queue: QueueName, enqueuedAt: number): void {
    this.wait.observe({ queue }, Math.max(0, Date.now() - enqueuedAt) / 1000);
  }

  finished(queue: QueueName, status: JobStatus): void {
    this.jobs.inc({ queue, status });
  }
}
