import { Inject, Injectable, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { RedisConnection, RedisConnectionFactory } from './redis-connection.factory';
import { RedisKeys } from './redis-keys';

/** A shared fail-fast command connection for request paths, health checks and result writes. */
@Injectable()
export class RedisClient {
  readonly redis: RedisConnection;
  /** Every key the project writes outside BullMQ, under QUEUE_PREFIX (tests isolate by prefix). */
  readonly keys: RedisKeys;

  constructor(factory: RedisConnectionFactory, @Inject(APP_CONFIG) config: AppConfig) {
    this.redis = factory.create('command', 'commands');
    this.keys = new RedisKeys(config.redis.prefix);
  }
}

/** The Redis connections; needs the configuration (ConfigModule, global). */
@Module({
  providers: [RedisConnectionFactory, RedisClient],
  exports: [RedisConnectionFactory, RedisClient],
})
export class RedisModule {}
