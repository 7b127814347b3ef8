import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConnectionOptions } from 'bullmq';
import { Cluster, Redis, RedisOptions } from 'ioredis';
import { APP_CONFIG, AppConfig } from '../config/app-config';

/**
 * How a connection behaves while Redis is away:
 * - `command`: fails fast (no offline queue), for producers and request paths;
 * - `blocking`: waits and retries for ever, as BullMQ workers and stream readers need.
 */
export type RedisConnectionKind = 'command' | 'blocking';

/** A standalone or Sentinel-managed Redis, or a Redis Cluster: the command API is the same. */
export type RedisConnection = Redis | Cluster;

/** The one place that creates Redis connections; closes them all at shutdown. */
@Injectable()
export class RedisConnectionFactory implements OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private readonly connections = new Set<RedisConnection>();
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

  /**
   * A new connection. REDIS_CLUSTER_NODES gives a Cluster; REDIS_SENTINELS a Redis that asks the
   * sentinels for the current master; otherwise REDIS_URL alone. Credentials, db and TLS always
   * come from REDIS_URL.
   */
  create(kind: RedisConnectionKind, name: string): RedisConnection {
    const { clusterNodes } = this.config.redis;
    const connection: RedisConnection =
      clusterNodes.length > 0
        ? new Cluster([...clusterNodes], {
            redisOptions: { ...this.nodeOptions(kind), connectionName: name },
            enableOfflineQueue: kind === 'blocking',
            clusterRetryStrategy: (attempt) => Math.min(attempt * 200, 2000),
          })
        : new Redis({ ...this.bullConnectionOptions(kind), connectionName: name });
    connection.on('error', (error: Error) => this.logError(name, error));
    this.connections.add(connection);
    connection.once('end', () => this.connections.delete(connection));
    return connection;
  }

  /**
   * What BullMQ gets as `connection`. Options for a standalone or Sentinel Redis (BullMQ creates and
   * owns those connections); for a Cluster, a Cluster instance this factory owns (BullMQ only
   * accepts clusters as instances, and duplicates it for a worker's blocking connection).
   */
  bullConnection(kind: RedisConnectionKind): ConnectionOptions {
    if (this.config.redis.clusterNodes.length > 0) return this.create(kind, `bullmq-${kind}`);
    return this.bullConnectionOptions(kind);
  }

  private bullConnectionOptions(kind: RedisConnectionKind): RedisOptions {
    const { sentinels, sentinelName } = this.config.redis;
    const url = new URL(this.config.redis.url);
    const target: RedisOptions =
      sentinels.length > 0
        ? { sentinels: [...sentinels], name: sentinelName }
        : { host: url.hostname, port: Number(url.port || 6379) };
    return { ...this.nodeOptions(kind), ...target };
  }

  /** Options shared by every node: kind, credentials, db and TLS from REDIS_URL. */
  private nodeOptions(kind: RedisConnectionKind): RedisOptions {
    const url = new URL(this.config.redis.url);
    return {
      ...this.options(kind),
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
