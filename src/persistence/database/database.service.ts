import {
  Inject,
  Injectable,
  Logger,
  OnApplicationShutdown,
  OnModuleInit,
  Optional,
} from '@nestjs/common';
import { sql } from 'kysely';
import { APP_CONFIG, AppConfig } from '../../common/config/app-config';
import { ReadinessRegistry } from '../../common/health/readiness.registry';
import { migrateToLatest, MigrationOutcome, openDatabase } from './database.factory';
import { Db } from './database.types';
import { DatabaseTarget, describeDatabase, parseDatabaseUrl } from './database-url';

const MIGRATION_RETRY_MS = 5000;

/**
 * The one connection (SQLite file or PostgreSQL pool) to the store of record. Migrates on start
 * when DATABASE_MIGRATE_ON_START is on; if the database is not there yet, keeps retrying in the
 * background instead of failing the process (live streaming does not need it).
 */
@Injectable()
export class DatabaseService implements OnModuleInit, OnApplicationShutdown {
  readonly db: Db;
  readonly target: DatabaseTarget;
  private readonly logger = new Logger('Database');
  private migrated = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private lastPoolErrorLog = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly readiness?: ReadinessRegistry,
  ) {
    this.target = parseDatabaseUrl(config.persistence.databaseUrl);
    this.db = openDatabase(this.target, (error) => this.onPoolError(error));
  }

  get dialect(): DatabaseTarget['dialect'] {
    return this.target.dialect;
  }

  async onModuleInit(): Promise<void> {
    this.readiness?.register('database', () => ({
      ready: this.migrated || !this.config.persistence.migrateOnStart,
      details: { engine: this.target.dialect, migrated: this.migrated },
    }));
    if (this.config.persistence.migrateOnStart) await this.tryMigrate();
  }

  /** Runs pending migrations now (the `db:migrate` command and start-up use this). */
  async migrate(): Promise<MigrationOutcome> {
    const outcome = await migrateToLatest(this.db, this.target);
    this.migrated = true;
    if (outcome.applied.length > 0) {
      this.logger.log(
        `Applied migrations ${outcome.applied.join(', ')} to ${describeDatabase(this.target)}`,
      );
    }
    return outcome;
  }

  isMigrated(): boolean {
    return this.migrated;
  }

  /** True when the database answers a trivial query. */
  async ping(): Promise<boolean> {
    try {
      await sql`select 1`.execute(this.db);
      return true;
    } catch {
      return false;
    }
  }

  private async tryMigrate(): Promise<void> {
    try {
      await this.migrate();
    } catch (error) {
      this.logger.error(
        `${describeDatabase(this.target)}: ${error instanceof Error ? error.message : String(error)}; ` +
          `retrying every ${MIGRATION_RETRY_MS / 1000} s`,
      );
      if (this.closed) return;
      this.retryTimer = setTimeout(() => void this.tryMigrate(), MIGRATION_RETRY_MS);
      this.retryTimer.unref();
    }
  }

  private onPoolError(error: Error): void {
    const now = Date.now();
    if (now - this.lastPoolErrorLog < 5000) return;
    this.lastPoolErrorLog = now;
    this.logger.warn(`Database connection lost: ${error.message}`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.db.destroy();
  }
}
