import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../common/config/app-config';
import { QueueName } from '../../common/queues/queue-names';
import { QueueService } from '../../common/queues/queue.service';

const POLL_MS = 250;

/**
 * Watches the stt queue depth (one poll per gateway, not per frame). Above MAX_QUEUE_DEPTH the
 * gateway is overloaded: interims are dropped and new sessions refused.
 */
@Injectable()
export class LoadMonitorService implements OnModuleInit, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private depth = 0;
  private polling = false;

  constructor(
    private readonly queues: QueueService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.poll(), POLL_MS);
    this.timer.unref();
  }

  /** Reads the depth now (also what the periodic poll does). */
  async poll(): Promise<number> {
    if (this.polling) return this.depth;
    this.polling = true;
    try {
      this.depth = await this.queues.depth(QueueName.Stt);
    } catch {
      // Redis away: keep the last value; enqueueing reports the outage itself.
    } finally {
      this.polling = false;
    }
    return this.depth;
  }

  get queueDepth(): number {
    return this.depth;
  }

  get overloaded(): boolean {
    return this.depth > this.config.gateway.maxQueueDepth;
  }

  /**
   * Interims back off for every session together when the stt workers are busy: 1 (every
   * snapshot) while at most INTERIM_BACKOFF_QUEUE_DEPTH jobs wait, then 2, 4, up to 8 times the
   * interval as the queue doubles, so finals do not wait behind previews.
   */
  get interimIntervalFactor(): number {
    return interimBackoff(this.depth, this.config.gateway.interimBackoffQueueDepth);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}

/** See LoadMonitorService.interimIntervalFactor. */
export function interimBackoff(depth: number, threshold: number, max = 8): number {
  if (depth <= threshold) return 1;
  return Math.min(max, 2 ** Math.ceil(Math.log2(depth / Math.max(1, threshold))));
}
