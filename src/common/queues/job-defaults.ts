import { type JobsOptions } from 'bullmq';
import { type AppConfig } from '../config/app-config';

/** Job options every queue starts from; set once here. */
export function defaultJobOptions(config: AppConfig): JobsOptions {
  return {
    attempts: config.queues.attempts,
    backoff: { type: 'exponential', delay: 200 },
    removeOnComplete: { age: 600, count: 1000 },
    removeOnFail: { age: 24 * 3600, count: 5000 },
  };
}

/** Lower numbers run first in BullMQ: finals beat interims. */
export const JOB_PRIORITY = { final: 1, interim: 10 } as const;
