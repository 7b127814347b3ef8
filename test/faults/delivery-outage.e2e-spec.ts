/**
 * A Redis write that times out while delivering a final (Redis paused for writes, as during a
 * failover or an overloaded primary): the final still reaches the connected client, once.
 */
import { Redis } from 'ioredis';
import { RedisClient } from 'src/common/redis/redis.module';
import { RedisConnectionFactory } from 'src/common/redis/redis-connection.factory';
import { ResultStreamService } from 'src/utterance/result-stream.service';
import { ResultReaderService } from 'src/utterance/result-reader.service';
import { SessionDelivery } from 'src/gateway/delivery/session-delivery';
import { defaultSessionConfig } from 'src/gateway/protocol/session-config';
import { type ServerFrame } from 'src/contracts/stream-frames';
import { SessionStoreService } from 'src/gateway/session-store/session-store.service';
import { freePort } from '../helpers/ports';
import { TestRedisServer } from '../helpers/redis-server';
import { testConfig, waitFor } from '../helpers/test-env';

describe('delivery while Redis refuses writes', () => {
  let server: TestRedisServer;
  let factory: RedisConnectionFactory;
  let reader: ResultReaderService;
  let store: SessionStoreService;
  let results: ResultStreamService;
  let admin: Redis;

  beforeAll(async () => {
    server = new TestRedisServer(await freePort());
    await server.start();
    const config = await testConfig({ REDIS_URL: server.url });
    factory = new RedisConnectionFactory(config);
    const client = new RedisClient(factory, config);
    results = new ResultStreamService(client, config);
    store = new SessionStoreService(client, results, config);
    reader = new ResultReaderService(factory, client, results);
    admin = new Redis(server.url);
    await waitFor(async () => (await client.redis.ping()) === 'PONG', { what: 'Redis' });
  });

  afterAll(async () => {
    await reader.onApplicationShutdown();
    await factory.onApplicationShutdown();
    admin.disconnect();
    await server.stop();
  });

  it('a final whose delivery write timed out is still sent, exactly once', async () => {
    const owner = 'gw:1';
    const { sessionId } = await store.create(defaultSessionConfig(16000), owner);
    const frames: ServerFrame[] = [];
    const delivery = new SessionDelivery(sessionId, owner, {
      store,
      reader,
      send: (frame, sent) => {
        frames.push(frame);
        sent?.();
      },
      onTakenOver: () => undefined,
    });
    await delivery.start();
    delivery.expect(1, []);
    await store.expectFinal(sessionId, 1);

    // The final lands in the stream and, in the same transaction, writes pause for longer than
    // the 2 s command timeout: the gateway reads the final, its delivery write times out (and
    // runs once the pause ends).
    const final = {
      type: 'final' as const,
      utteranceId: `${sessionId}:1`,
      index: 1,
      text: 'hello there',
      language: 'en',
      start: 0,
      end: 1,
      words: [],
      latency: {},
      worker: 'stt-x',
    };
    await admin
      .multi()
      .xadd(results.streamKey(sessionId), '*', 'm', JSON.stringify(final))
      .call('CLIENT', 'PAUSE', '3000', 'WRITE')
      .exec();

    await waitFor(() => frames.find((f) => f.type === 'final'), {
      timeoutMs: 15_000,
      what: 'the final',
    });
    await new Promise((r) => setTimeout(r, 500));
    const finals = frames.filter((f) => f.type === 'final');
    expect(finals).toHaveLength(1);
    expect(finals[0]).toMatchObject({ seq: 1, text: 'hello there' });
    delivery.stop();
  });
});
