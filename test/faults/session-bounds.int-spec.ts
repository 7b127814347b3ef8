/**
 * Per-session state in Redis stays bounded however long a session runs, and still delivers each
 * frame exactly once within the window that can matter.
 */
import { RedisClient } from 'src/common/redis/redis.module';
import { RedisConnectionFactory } from 'src/common/redis/redis-connection.factory';
import { ResultStreamService } from 'src/utterance/result-stream.service';
import { defaultSessionConfig } from 'src/gateway/protocol/session-config';
import {
  DEDUPE_WINDOW,
  SessionStoreService,
} from 'src/gateway/session-store/session-store.service';
import { cleanupPrefix, testConfig, waitFor } from '../helpers/test-env';

describe('session state bounds', () => {
  let factory: RedisConnectionFactory;
  let store: SessionStoreService;
  let client: RedisClient;
  let prefix: string;

  beforeAll(async () => {
    const config = await testConfig();
    prefix = config.redis.prefix;
    factory = new RedisConnectionFactory(config);
    client = new RedisClient(factory, config);
    store = new SessionStoreService(client, new ResultStreamService(client, config), config);
    await waitFor(async () => (await client.redis.ping()) === 'PONG', { what: 'Redis' });
  });

  afterAll(async () => {
    await cleanupPrefix(prefix);
    await factory.onApplicationShutdown();
  });

  it('dedupe marks and expected finals keep a window, not the whole session', async () => {
    const owner = 'gateway-a:1';
    const { sessionId } = await store.create(defaultSessionConfig(16000), owner);
    const utterances = DEDUPE_WINDOW + 300;
    for (let index = 1; index <= utterances; index++) {
      await store.expectFinal(sessionId, index);
      const frame = { type: 'final', text: `u${index}` };
      const outcome = await store.deliver(sessionId, owner, 'final', index, `u:${index}`, frame);
      expect(outcome.status).toBe('ok');
      await store.deliver(sessionId, owner, 'translation', index, `t:${index}:es`, frame);
    }
    const marks = await client.redis.zcard(client.keys.sessionDelivered(sessionId));
    const finals = await client.redis.llen(client.keys.sessionFinals(sessionId));
    expect(marks).toBeLessThanOrEqual(2 * (DEDUPE_WINDOW + 1));
    expect(finals).toBe(DEDUPE_WINDOW);
    // Within the window a repeat is still refused, for finals and translations alike.
    const last = utterances;
    expect((await store.deliver(sessionId, owner, 'final', last, `u:${last}`, {})).status).toBe(
      'dup',
    );
    expect(
      (await store.deliver(sessionId, owner, 'translation', last - 10, `t:${last - 10}:es`, {}))
        .status,
    ).toBe('dup');
    expect(await store.expectedFinals(sessionId, last - 5)).toEqual([
      last - 4,
      last - 3,
      last - 2,
      last - 1,
      last,
    ]);
  });
});
