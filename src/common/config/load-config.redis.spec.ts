import { ConfigError } from './config-error';
import { loadConfig } from './load-config';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig: Redis Sentinel and Cluster', () => {
  it('is standalone by default', () => {
    const { redis } = loadConfig({});
    expect(redis.sentinels).toEqual([]);
    expect(redis.clusterNodes).toEqual([]);
    expect(redis.sentinelName).toBe('mymaster');
  });

  it('parses sentinels and the master name', () => {
    const { redis } = loadConfig({
      REDIS_SENTINELS: 'sentinel-0:26379, sentinel-1.redis.svc:26380,[fd00::5]:26381',
      REDIS_SENTINEL_NAME: 'rt-master',
    });
    expect(redis.sentinels).toEqual([
      { host: 'sentinel-0', port: 26379 },
      { host: 'sentinel-1.redis.svc', port: 26380 },
      { host: 'fd00::5', port: 26381 },
    ]);
    expect(redis.sentinelName).toBe('rt-master');
  });

  it('parses cluster seed nodes when the prefix has a hash tag', () => {
    const { redis } = loadConfig({
      REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2:7001',
      QUEUE_PREFIX: '{rt}',
    });
    expect(redis.clusterNodes).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: '10.0.0.2', port: 7001 },
    ]);
    expect(redis.prefix).toBe('{rt}');
  });

  it('refuses a cluster without a hash tag in QUEUE_PREFIX, naming the fix', () => {
    const error = configError({ REDIS_CLUSTER_NODES: 'redis-0:6379', QUEUE_PREFIX: 'rt' });
    expect(error.variable).toBe('QUEUE_PREFIX');
    expect(error.message).toContain('{rt}');
    expect(configError({ REDIS_CLUSTER_NODES: 'r:1', QUEUE_PREFIX: '{}' }).variable).toBe(
      'QUEUE_PREFIX',
    );
  });

  it('refuses sentinels and cluster nodes together', () => {
    const error = configError({
      REDIS_SENTINELS: 's:26379',
      REDIS_CLUSTER_NODES: 'c:7000',
      QUEUE_PREFIX: '{rt}',
    });
    expect(error.variable).toBe('REDIS_CLUSTER_NODES');
  });

  it.each(['sentinel-0', 'sentinel-0:', 'sentinel-0:99999', ':26379', 'a:1:2', 'host name:1'])(
    'refuses REDIS_SENTINELS item %p naming the variable and the whole value',
    (item) => {
      const value = `ok:26379,${item}`;
      const error = configError({ REDIS_SENTINELS: value });
      expect(error.variable).toBe('REDIS_SENTINELS');
      expect(error.value).toBe(value);
      expect(error.message).toContain('host:port');
    },
  );
});
