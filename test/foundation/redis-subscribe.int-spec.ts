import { Redis } from 'ioredis';
import {
  type RedisConnection,
  RedisConnectionFactory,
} from 'src/common/redis/redis-connection.factory';
import { subscribeWhenReady } from 'src/common/redis/subscribe-when-ready';
import { REDIS_URL, testConfig, uniquePrefix, waitFor } from '../helpers/test-env';

describe('subscribing on a connection still in its handshake', () => {
  let factory: RedisConnectionFactory;
  let publisher: Redis;

  beforeEach(async () => {
    factory = new RedisConnectionFactory(await testConfig());
    publisher = new Redis(REDIS_URL);
  });

  afterEach(async () => {
    await factory.onApplicationShutdown();
    publisher.disconnect();
  });

  /** Subscribes the moment the connection reports "connect", before its ready check ran. */
  async function subscribeDuringHandshake(
    subscribe: (connection: RedisConnection, channel: string) => Promise<void>,
  ): Promise<{ reconnects: number; messages: string[]; channel: string }> {
    const channel = `${uniquePrefix()}:channel`;
    const connection = factory.create('blocking', 'subscribe-test');
    const seen = { reconnects: 0, messages: [] as string[], channel };
    connection.on('reconnecting', () => seen.reconnects++);
    connection.on('message', (_channel: string, message: string) => seen.messages.push(message));
    const subscribed = new Promise<void>((resolve, reject) => {
      connection.once('connect', () => {
        expect(connection.status).toBe('connect');
        subscribe(connection, channel).then(resolve, reject);
      });
    });
    await subscribed;
    await waitFor(() => connection.status === 'ready', { what: 'a ready connection' });
    await publisher.publish(channel, 'first');
    await waitFor(() => seen.messages.includes('first'), { what: 'the first message' });
    return seen;
  }

  it('subscribeWhenReady waits for the ready check: no dropped connection, no lost message', async () => {
    const seen = await subscribeDuringHandshake((connection, channel) =>
      subscribeWhenReady(connection, channel),
    );
    expect(seen.reconnects).toBe(0);
    expect(seen.messages).toEqual(['first']);
  });
});
