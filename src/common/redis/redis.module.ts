import { Inject, Injectable, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { RedisConnection, RedisConnectionFactory } from './redis-connection.factory';

/** A shared fail-fast command connection for request paths, health checks and result writes. */
@Injectable()
export class RedisClient {
  readonly redis: RedisConnection;
  readonly prefix: string;

  constructor(factory: RedisConnectionFactory, @Inject(APP_CONFIG) config: AppConfig) {
    this.redis = factory.create('command', 'commands');
    this.prefix = config.redis.prefix;
  }

  /** Every key the project writes outside BullMQ goes through here, so tests can isolate by prefix. */
  key(...parts: (string | number)[]): string {
    return [this.prefix, ...parts].join(':');
  }
}

/** The Redis connections; needs the configuration (ConfigModule, global). */
@Module({
  providers: [RedisConnectionFactory, RedisClient],
  exports: [RedisConnectionFactory, RedisClient],
})
export class RedisModule {}
