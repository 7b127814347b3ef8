import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../common/config/app-config';
import { TranscriptStore } from './transcript.store';

const DAY_MS = 86_400_000;

/**
 * Deletes transcript lines older than TRANSCRIPT_RETENTION_DAYS, at start and then every
 * RETENTION_INTERVAL_MINUTES. Every gateway runs it; the deletes are idempotent. Only transcripts:
 * keys and usage counters are kept. With retention 0 nothing is stored, and anything stored before
 * the setting changed is deleted.
 */
@Injectable()
export class TranscriptRetentionService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('TranscriptRetention');
  private timer: NodeJS.Timeout | undefined;
  private firstRun: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: TranscriptStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(
      () => void this.runSafely(),
      this.config.persistence.retentionIntervalMs,
    );
    this.timer.unref();
    // First run soon after start, once migrations had their chance.
    this.firstRun = setTimeout(() => void this.runSafely(), 1000);
    this.firstRun.unref();
  }

  /** Lines archived before this moment are past retention. */
  cutoff(now = Date.now()): Date {
    return new Date(now - this.config.persistence.transcriptRetentionDays * DAY_MS);
  }

  /** Deletes what is past retention now; returns how many lines. */
  purgeExpired(now = Date.now()): Promise<number> {
    return this.purgeOlderThan(this.cutoff(now));
  }

  /** Deletes lines archived before `cutoff` (the admin tool's purge). */
  async purgeOlderThan(cutoff: Date): Promise<number> {
    const deleted = await this.store.deleteOlderThan(cutoff);
    if (deleted > 0) {
      this.logger.log(
        `Deleted ${deleted} transcript line(s) archived before ${cutoff.toISOString()}`,
      );
    }
    return deleted;
  }

  private async runSafely(): Promise<void> {
    try {
      await this.purgeExpired();
    } catch (error) {
      this.logger.warn(
        `Retention run failed (next in ${this.config.persistence.retentionIntervalMs / 60_000} min): ` +
          (error instanceof Error ? error.message : String(error)),
      );
    }
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.firstRun) clearTimeout(this.firstRun);
  }
}
