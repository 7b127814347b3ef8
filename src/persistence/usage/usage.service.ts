import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnModuleInit,
} from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../common/config/app-config';
import { UsageIncrement, UsageStore, UsageRow } from './usage.store';
import { SerialFlusher } from '../shared/serial-flusher';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Sessions started without a key (authentication off, development) are counted under this id. */
export const ANONYMOUS_KEY_ID = 'anonymous';

export type UsageGranularity = 'hour' | 'day';

export interface UsageBucket {
  keyId: string;
  start: string;
  audioSeconds: number;
  sessions: number;
}

export interface UsageReport {
  from: string;
  to: string;
  granularity: UsageGranularity;
  buckets: UsageBucket[];
  totals: { audioSeconds: number; sessions: number };
}

export function hourStart(at: number): number {
  return Math.floor(at / HOUR_MS) * HOUR_MS;
}

/** Groups hourly rows into hour or UTC-day buckets per key. Pure. */
export function bucketUsage(
  rows: readonly UsageRow[],
  granularity: UsageGranularity,
): UsageBucket[] {
  const size = granularity === 'hour' ? HOUR_MS : DAY_MS;
  const buckets = new Map<
    string,
    { keyId: string; start: number; audio: number; sessions: number }
  >();
  for (const row of rows) {
    const start = Math.floor(row.hourStart / size) * size;
    const id = `${row.keyId}|${start}`;
    const bucket = buckets.get(id) ?? { keyId: row.keyId, start, audio: 0, sessions: 0 };
    bucket.audio += row.audioSeconds;
    bucket.sessions += row.sessions;
    buckets.set(id, bucket);
  }
  return [...buckets.values()]
    .sort((a, b) => a.start - b.start || a.keyId.localeCompare(b.keyId))
    .map((bucket) => ({
      keyId: bucket.keyId,
      start: new Date(bucket.start).toISOString(),
      audioSeconds: Math.round(bucket.audio * 1000) / 1000,
      sessions: bucket.sessions,
    }));
}

/**
 * Audio seconds and session starts per key per hour. Calls are synchronous and never fail: they
 * add to in-memory counters that are written every ARCHIVE_FLUSH_MS (and at shutdown) as
 * upsert-increments. When the database is down the counters keep growing (one entry per key and
 * hour) and are written when it returns.
 */
@Injectable()
export class UsageService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('Usage');
  private pending = new Map<string, UsageIncrement>();
  private timer: NodeJS.Timeout | undefined;
  private readonly flusher = new SerialFlusher(() => this.flushOnce());
  private failing = false;

  constructor(
    private readonly store: UsageStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.config.persistence.archiveFlushMs);
    this.timer.unref();
  }

  recordAudio(keyId: string | null | undefined, seconds: number, at = Date.now()): void {
    if (!(Number.isFinite(seconds) && seconds > 0)) return;
    this.add(keyId ?? ANONYMOUS_KEY_ID, at, seconds, 0);
  }

  recordSessionStart(keyId: string | null | undefined, at = Date.now()): void {
    this.add(keyId ?? ANONYMOUS_KEY_ID, at, 0, 1);
  }

  /**
   * Audio seconds of the key in the current UTC hour: what is stored plus what this process has
   * counted but not written yet (other gateways' unwritten counts show up within ARCHIVE_FLUSH_MS).
   * For quota checks; throws when the database is unavailable.
   */
  async audioSecondsThisHour(keyId: string, at = Date.now()): Promise<number> {
    const start = hourStart(at);
    const rows = await this.store.hourly(keyId, start, start + HOUR_MS);
    const stored = rows.reduce((sum, row) => sum + row.audioSeconds, 0);
    return stored + (this.pending.get(`${keyId}|${start}`)?.audioSeconds ?? 0);
  }

  /** Writes what is pending. Never throws; on failure the counters stay for the next try. */
  flush(): Promise<void> {
    return this.flusher.flush();
  }

  async report(
    keyId: string | undefined,
    from: Date,
    to: Date,
    granularity: UsageGranularity,
  ): Promise<UsageReport> {
    await this.flush();
    const rows = await this.store.hourly(keyId, hourStart(from.getTime()), to.getTime());
    const buckets = bucketUsage(rows, granularity);
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      granularity,
      buckets,
      totals: {
        audioSeconds:
          Math.round(buckets.reduce((sum, bucket) => sum + bucket.audioSeconds, 0) * 1000) / 1000,
        sessions: buckets.reduce((sum, bucket) => sum + bucket.sessions, 0),
      },
    };
  }

  private add(keyId: string, at: number, audioSeconds: number, sessions: number): void {
    const start = hourStart(at);
    const id = `${keyId}|${start}`;
    const entry = this.pending.get(id) ?? { keyId, hourStart: start, audioSeconds: 0, sessions: 0 };
    entry.audioSeconds += audioSeconds;
    entry.sessions += sessions;
    this.pending.set(id, entry);
  }

  private async flushOnce(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.store.increment([...batch.values()]);
      if (this.failing) this.logger.log('Usage counters written again');
      this.failing = false;
    } catch (error) {
      for (const item of batch.values()) {
        this.add(item.keyId, item.hourStart, item.audioSeconds, item.sessions);
      }
      if (!this.failing) {
        this.logger.warn(
          `Usage counters not written (kept for the next try): ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      this.failing = true;
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
