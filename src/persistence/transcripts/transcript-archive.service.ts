import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnModuleInit,
} from '@nestjs/common';
import { counter, gauge } from '../../common/metrics/registered-metrics';
import { APP_CONFIG, AppConfig } from '../../common/config/app-config';
import { ResultMessage } from '../../contracts/result-messages';
import { ResultStreamService } from '../../utterance/result-stream.service';
import { ANONYMOUS_KEY_ID } from '../usage/usage.service';
import { ArchiveStateStore, RecoveryEntry } from './archive-state.store';
import { compareStreamIds, isStreamId, minStreamId, streamIdBefore } from '../../common/stream-id';
import { TranscriptStore } from './transcript.store';
import { toTranscriptEntry, TranscriptEntry } from './transcript.types';
import { SerialFlusher } from '../shared/serial-flusher';

/** A result as the gateway delivered it: read from the session's stream at `streamId`. */
export interface DeliveredResult {
  sessionId: string;
  /** The API key that owns the session; null/undefined when authentication is off. */
  keyId: string | null | undefined;
  streamId: string;
  message: ResultMessage;
}

interface PendingItem {
  sessionId: string;
  streamId: string;
  entry: TranscriptEntry;
}

interface Recovery {
  keyId: string;
  /** Read the stream after this id next. */
  position: string;
  /** A result was delivered since the last read: read again before leaving recovery. */
  dirty: boolean;
}

const RECOVERY_PAGE = 500;
const RECOVERY_SESSIONS_PER_FLUSH = 50;
/** Recovery entries are looked at every this many flush periods... */
const ORPHAN_SCAN_EVERY_FLUSHES = 10;
/** ...and one nobody touched for this many belongs to a gateway that went away. */
const ORPHAN_AFTER_FLUSHES = 30;
const DELETED_MEMORY_MS = 3_600_000;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Archives delivered finals and translations without ever slowing delivery: `record()` is
 * synchronous, never throws and only appends to an in-memory batch, written every
 * ARCHIVE_FLUSH_MS or ARCHIVE_BATCH_SIZE items with idempotent inserts.
 *
 * Nothing is lost when the database is away: a failed batch is dropped from memory and its
 * sessions switch to recovery, which re-reads their result streams (Redis) from the last archived
 * stream id once the database answers. The same happens when more than ARCHIVE_MAX_PENDING items
 * wait, so memory stays bounded during a long outage. Recovery state lives in Redis, so another
 * gateway finishes it if this one dies. Limit: a stream that expires (SESSION_TTL_SECONDS after
 * the session's last result) before the database returns cannot be re-read.
 */
@Injectable()
export class TranscriptArchiveService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('TranscriptArchive');
  private pending: PendingItem[] = [];
  private readonly recovering = new Map<string, Recovery>();
  private readonly deleted = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private readonly flusher = new SerialFlusher(() => this.flushOnce());
  private failing = false;
  /** The first scan waits a period: a short-lived process (the CLI) never adopts anything. */
  private lastOrphanScan = Date.now();
  private stopped = false;

  private readonly rowsWritten = counter({
    name: 'rt_archive_rows_written_total',
    help: 'Transcript lines written to the database (including re-reads after outages)',
  });
  private readonly failures = counter({
    name: 'rt_archive_write_failures_total',
    help: 'Transcript batches the database refused; their sessions are re-read later',
  });

  private readonly backlogGauge = gauge({
    name: 'rt_archive_backlog',
    help: 'Transcript archive backlog after the last flush: items in memory, sessions to re-read',
    labelNames: ['kind'],
  });

  constructor(
    private readonly store: TranscriptStore,
    private readonly results: ResultStreamService,
    private readonly state: ArchiveStateStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get enabled(): boolean {
    return this.config.persistence.transcriptRetentionDays > 0;
  }

  onModuleInit(): void {
    if (!this.enabled) return;
    this.timer = setInterval(() => void this.flush(), this.config.persistence.archiveFlushMs);
    this.timer.unref();
  }

  /** Called by the gateway for every result it delivered. Synchronous; never throws. */
  record(result: DeliveredResult): void {
    if (!this.enabled || this.stopped) return;
    const recovery = this.recovering.get(result.sessionId);
    if (recovery) {
      recovery.dirty = true;
      return;
    }
    if (this.deleted.has(result.sessionId) || !isStreamId(result.streamId)) return;
    const keyId = result.keyId ?? ANONYMOUS_KEY_ID;
    const entry = toTranscriptEntry(result.sessionId, keyId, result.message, new Date());
    if (!entry) return;
    this.pending.push({ sessionId: result.sessionId, streamId: result.streamId, entry });
    if (this.pending.length > this.config.persistence.archiveMaxPending) {
      this.spill(this.pending.splice(0), 'too many items waiting for the database');
    } else if (this.pending.length >= this.config.persistence.archiveBatchSize) {
      void this.flush();
    }
  }

  /** Writes what is pending and re-reads streams of sessions in recovery. Never throws. */
  flush(): Promise<void> {
    return this.flusher.flush();
  }

  /** Results of a session that are delivered but not yet in the database (for tests/metrics). */
  backlog(): { pendingItems: number; recoveringSessions: number } {
    return { pendingItems: this.pending.length, recoveringSessions: this.recovering.size };
  }

  /** The last stream id of the session whose results are archived. */
  archivedUpTo(sessionId: string): Promise<string | undefined> {
    return this.state.cursor(sessionId);
  }

  /**
   * Forgets a session: drops what is pending, stops any recovery and marks it deleted in Redis
   * so no gateway archives it again (also its later results). Returns the rows deleted.
   */
  async deleteSession(sessionId: string): Promise<number> {
    this.deleted.set(sessionId, Date.now());
    this.pending = this.pending.filter((item) => item.sessionId !== sessionId);
    this.recovering.delete(sessionId);
    await this.state.markDeleted(sessionId);
    // A write of this session may be in flight: let it land, then delete.
    await this.flusher.inProgress();
    return this.store.deleteSession(sessionId);
  }

  private async flushOnce(): Promise<void> {
    this.pruneDeleted();
    const batch = this.pending.splice(0);
    const written = batch.length === 0 || (await this.writeBatch(batch));
    // After a refused batch, wait for the next tick before asking the database again.
    if (written) await this.recover();
    this.backlogGauge.set({ kind: 'pending_items' }, this.pending.length);
    this.backlogGauge.set({ kind: 'recovering_sessions' }, this.recovering.size);
  }

  /** False when the database refused the batch (its sessions are then in recovery). */
  private async writeBatch(batch: PendingItem[]): Promise<boolean> {
    let deleted = new Set<string>();
    try {
      deleted = await this.state.deletedAmong([...new Set(batch.map((item) => item.sessionId))]);
    } catch (error) {
      this.logger.warn(`Could not check deleted sessions in Redis: ${message(error)}`);
    }
    const items = batch.filter((item) => !deleted.has(item.sessionId));
    try {
      await this.store.insertMany(items.map((item) => item.entry));
    } catch (error) {
      this.failures.inc();
      if (!this.failing) {
        this.logger.warn(
          `Transcript archive paused, the database refused a batch (${message(error)}); ` +
            'delivery continues and the sessions will be re-read from their result streams',
        );
      }
      this.failing = true;
      this.spill(items, 'database write failed');
      return false;
    }
    this.rowsWritten.inc(items.length);
    this.resumed();
    const cursors = new Map<string, string>();
    for (const item of items) {
      const current = cursors.get(item.sessionId);
      if (!current || compareStreamIds(item.streamId, current) > 0) {
        cursors.set(item.sessionId, item.streamId);
      }
    }
    try {
      await this.state.advanceCursors(cursors);
    } catch (error) {
      this.logger.warn(`Could not store archive cursors in Redis: ${message(error)}`);
    }
    return true;
  }

  private resumed(): void {
    if (!this.failing) return;
    this.failing = false;
    this.logger.log('Transcript archive writes to the database again');
  }

  /** Moves the items' sessions into recovery and forgets the items themselves. */
  private spill(items: readonly PendingItem[], reason: string): void {
    const earliest = new Map<string, PendingItem>();
    for (const item of items) {
      const seen = earliest.get(item.sessionId);
      if (!seen || compareStreamIds(item.streamId, seen.streamId) < 0) {
        earliest.set(item.sessionId, item);
      }
    }
    const saved = new Map<string, RecoveryEntry>();
    for (const [sessionId, item] of earliest) {
      const from = streamIdBefore(item.streamId);
      const existing = this.recovering.get(sessionId);
      const recovery: Recovery = existing ?? {
        keyId: item.entry.keyId,
        position: from,
        dirty: true,
      };
      recovery.position = minStreamId(recovery.position, from);
      this.recovering.set(sessionId, recovery);
      saved.set(sessionId, { keyId: recovery.keyId, from: recovery.position, at: Date.now() });
    }
    this.pending = this.pending.filter((item) => !this.recovering.has(item.sessionId));
    if (saved.size > 0) {
      this.logger.warn(
        `${saved.size} session(s) will be re-read from their result streams: ${reason}`,
      );
    }
    void this.state.saveRecovery(saved).catch((error: unknown) => {
      this.logger.warn(`Could not store archive recovery state in Redis: ${message(error)}`);
    });
  }

  /**
   * Re-reads the streams of up to RECOVERY_SESSIONS_PER_FLUSH sessions in recovery; a session
   * that is not finished goes to the back of the line. Stops at the first database failure.
   */
  private async recover(): Promise<void> {
    await this.adoptOrphans();
    if (this.recovering.size === 0) return;
    try {
      await this.state.saveRecovery(
        new Map(
          [...this.recovering].map(([sessionId, r]) => [
            sessionId,
            { keyId: r.keyId, from: r.position, at: Date.now() },
          ]),
        ),
      );
    } catch (error) {
      this.logger.warn(`Could not refresh archive recovery state: ${message(error)}`);
    }
    const turn = [...this.recovering].slice(0, RECOVERY_SESSIONS_PER_FLUSH);
    for (const [sessionId, recovery] of turn) {
      if (this.stopped) return;
      const finished = await this.recoverSession(sessionId, recovery);
      if (finished === 'failed') return;
      if (this.recovering.get(sessionId) !== recovery) continue; // deleted meanwhile
      this.recovering.delete(sessionId);
      if (finished === 'again') this.recovering.set(sessionId, recovery);
      else await this.state.finishRecovery(sessionId).catch(() => undefined);
    }
  }

  private async recoverSession(
    sessionId: string,
    recovery: Recovery,
  ): Promise<'done' | 'again' | 'failed'> {
    recovery.dirty = false;
    try {
      if ((await this.state.deletedAmong([sessionId])).size > 0) return 'done';
      for (;;) {
        const page = await this.results.readAfter(sessionId, recovery.position, RECOVERY_PAGE);
        if (page.length === 0) {
          if (
            recovery.position === '0' &&
            !(await this.state.streamExists(this.results.streamKey(sessionId)))
          ) {
            this.logger.warn(
              `Result stream of session ${sessionId} expired before it could be archived`,
            );
          }
          break;
        }
        const now = new Date();
        const entries = page
          .map((stored) => toTranscriptEntry(sessionId, recovery.keyId, stored.message, now))
          .filter((entry): entry is TranscriptEntry => entry !== undefined);
        await this.store.insertMany(entries);
        this.rowsWritten.inc(entries.length);
        const last = page.at(-1)?.id ?? recovery.position;
        recovery.position = last;
        await this.state.advanceCursors(new Map([[sessionId, last]]));
        if (page.length < RECOVERY_PAGE) break;
      }
    } catch (error) {
      this.failures.inc();
      this.failing = true;
      this.logger.warn(`Archive recovery of session ${sessionId} paused: ${message(error)}`);
      return 'failed';
    }
    this.resumed();
    return recovery.dirty ? 'again' : 'done';
  }

  /** Takes over recovery entries of gateways that stopped working on them. */
  private async adoptOrphans(): Promise<void> {
    const now = Date.now();
    const period = this.config.persistence.archiveFlushMs;
    if (now - this.lastOrphanScan < ORPHAN_SCAN_EVERY_FLUSHES * period) return;
    this.lastOrphanScan = now;
    try {
      for (const [sessionId, entry] of await this.state.recoveries()) {
        if (this.recovering.has(sessionId) || now - entry.at < ORPHAN_AFTER_FLUSHES * period) {
          continue;
        }
        if (!isStreamId(entry.from)) continue;
        this.recovering.set(sessionId, { keyId: entry.keyId, position: entry.from, dirty: false });
      }
    } catch (error) {
      this.logger.warn(`Could not read archive recovery state: ${message(error)}`);
    }
  }

  private pruneDeleted(): void {
    const cutoff = Date.now() - DELETED_MEMORY_MS;
    for (const [sessionId, at] of this.deleted) if (at < cutoff) this.deleted.delete(sessionId);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
    this.stopped = true;
  }
}
