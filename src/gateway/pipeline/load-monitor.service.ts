import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../common/config/app-config';
import { QueueName } from '../../contracts/queue-names';
import { QueueService } from '../../common/queues/queue.service';

const POLL_MS = 250;
/** Finals delivered within this window decide whether finals are late. */
const LATENCY_WINDOW_MS = 10_000;

/**
 * Delays of recently delivered finals (end of utterance to delivery), over a sliding window; the
 * median says whether the stt workers keep up, whatever the queue depth.
 */
export class RecentLatencies {
  private readonly samples: { at: number; ms: number }[] = [];
  /** The median of `samples` as they are now (it is read for every interim, written per final). */
  private cached: number | undefined;
  private stale = false;

  constructor(
    private readonly windowMs = LATENCY_WINDOW_MS,
    private readonly maxSamples = 500,
  ) {}

  add(ms: number, now = Date.now()): void {
    this.samples.push({ at: now, ms });
    if (this.samples.length > this.maxSamples) this.samples.shift();
    this.stale = true;
  }

  /** Median of the window, or undefined when no final was delivered in it. */
  median(now = Date.now()): number | undefined {
    while (this.samples[0] !== undefined && now - this.samples[0].at > this.windowMs) {
      this.samples.shift();
      this.stale = true;
    }
    if (this.stale) {
      this.stale = false;
      const sorted = this.samples.map((s) => s.ms).sort((a, b) => a - b);
      this.cached = sorted.length === 0 ? undefined : sorted[Math.floor((sorted.length - 1) / 2)];
    }
    return this.cached;
  }
}

/**
 * Watches the stt queue depth (one poll per gateway, not per frame) and how late finals are. Above
 * MAX_QUEUE_DEPTH, or when the median final of the last 10 s came more than
 * OVERLOAD_FINAL_LATENCY_SECONDS after its utterance ended, the gateway is overloaded: interims
 * are dropped and new sessions refused (interim backoff keeps the queue short, so depth alone
 * no longer shows that finals are falling behind).
 */
@Injectable()
export class LoadMonitorService implements OnModuleInit, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private depth = 0;
  private polling = false;
  private readonly finalLatencies = new RecentLatencies();

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

  /** A final was delivered `ms` after its utterance ended (the silence threshold passed). */
  recordFinalLatency(ms: number): void {
    this.finalLatencies.add(ms);
  }

  get overloaded(): boolean {
    if (this.depth > this.config.gateway.maxQueueDepth) return true;
    const limit = this.config.gateway.overloadFinalLatencySeconds;
    const median = limit > 0 ? this.finalLatencies.median() : undefined;
    return median !== undefined && median > limit * 1000;
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
