import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Redis, RedisOptions } from 'ioredis';
import { APP_CONFIG, AppConfig } from '../config/app-config';

/**
 * How a connection behaves while Redis is away:
 * - `command`: fails fast (no offline queue), for producers and request paths;
 * - `blocking`: waits and retries for ever, as BullMQ workers and stream readers need.
 */
export type RedisConnectionKind = 'command' | 'blocking';

/** The one place that creates Redis connections; closes them all at shutdown. */
@Injectable()
export class RedisConnectionFactory implements OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private readonly connections = new Set<Redis>();
  private lastErrorLog = 0;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  options(kind: RedisConnectionKind): RedisOptions {
    const base: RedisOptions = {
      lazyConnect: false,
      connectTimeout: 2000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    };
    return kind === 'command'
      ? { ...base, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 2000 }
      : { ...base, enableOfflineQueue: true, maxRetriesPerRequest: null };
  }

  create(kind: RedisConnectionKind, name: string): Redis {
    const connection = new Redis(this.config.redis.url, {
      ...this.options(kind),
      connectionName: name,
    });
    connection.on('error', (error: Error) => this.logError(name, error));
    this.connections.add(connection);
    connection.once('end', () => this.connections.delete(connection));
    return connection;
  }

  /** Connection options for BullMQ, which creates and owns its own connections. */
  bullConnection(kind: RedisConnectionKind): RedisOptions & { host: string; port: number } {
    const url = new URL(this.config.redis.url);
    return {
      ...this.options(kind),
      host: url.hostname,
      port: Number(url.port || 6379),
      username: url.username ? decodeURIComponent(url.username) : undefined,
      password: url.password ? decodeURIComponent(url.password) : undefined,
      db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
      tls: url.protocol === 'rediss:' ? {} : undefined,
    };
  }

  /** Rate-limited: while Redis is down every connection reports every retry. */
  logError(name: string, error: Error): void {
    const now = Date.now();
    if (now - this.lastErrorLog < 5000) return;
    this.lastErrorLog = now;
    this.logger.warn(`Redis connection "${name}": ${error.message}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      [...this.connections].map(async (connection) => {
        try {
          await connection.quit();
        } catch {
          connection.disconnect();
        }
      }),
    );
    this.connections.clear();
  }
}
