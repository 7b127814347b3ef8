import { loadConfig } from '../config/load-config';
import { RedisConnectionFactory } from './redis-connection.factory';

describe('RedisConnectionFactory.bullConnection', () => {
  it('points BullMQ at REDIS_URL with its credentials, db and TLS', () => {
    const factory = new RedisConnectionFactory(
      loadConfig({ REDIS_URL: 'rediss://app:p%40ss@redis.example:6390/3' }),
    );
    expect(factory.bullConnection('blocking')).toMatchObject({
      host: 'redis.example',
      port: 6390,
      username: 'app',
      password: 'p@ss',
      db: 3,
      tls: {},
      maxRetriesPerRequest: null,
    });
  });

  it('asks the sentinels for the named master, with the credentials of REDIS_URL', () => {
    const factory = new RedisConnectionFactory(
      loadConfig({
        REDIS_URL: 'redis://:secret@ignored-host:6379/1',
        REDIS_SENTINELS: 'sentinel-0:26379,sentinel-1:26379',
        REDIS_SENTINEL_NAME: 'rt-master',
      }),
    );
    const options = factory.bullConnection('command');
    expect(options).toMatchObject({
      sentinels: [
        { host: 'sentinel-0', port: 26379 },
        { host: 'sentinel-1', port: 26379 },
      ],
      name: 'rt-master',
      password: 'secret',
      db: 1,
      enableOfflineQueue: false,
    });
    expect(options).not.toHaveProperty('host');
  });
});
