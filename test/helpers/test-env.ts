import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { type AppConfig } from 'src/common/config/app-config';
import { loadConfig } from 'src/common/config/load-config';
import { fixture } from './fixtures';
import { freePort } from './ports';

export { fixture, randomWeightsModel } from './fixtures';

/** The integration and e2e tiers' private redis-server (test/helpers/e2e-services.ts). */
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A unique key prefix so tests never see each other's keys. */
export function uniquePrefix(): string {
  return `test-${randomUUID().slice(0, 8)}`;
}

/** Env for a test process or app: unique prefix and free ports unless given. */
export async function testEnv(
  overrides: Record<string, string> = {},
): Promise<Record<string, string>> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    REDIS_URL,
    QUEUE_PREFIX: uniquePrefix(),
    HEALTH_PORT: String(await freePort()),
    GATEWAY_PORT: String(await freePort()),
    HOST: '127.0.0.1',
    DATABASE_URL: 'sqlite::memory:',
    // The stt role is ready only with a model file: whisper.cpp's own test model (no words out).
    WHISPER_MODEL: fixture('for-tests-ggml-tiny.bin'),
    ...overrides,
  };
}

export async function testConfig(overrides: Record<string, string> = {}): Promise<AppConfig> {
  return loadConfig(await testEnv(overrides));
}

/** Deletes every key under a prefix (BullMQ's and ours). */
export async function cleanupPrefix(prefix: string, url = REDIS_URL): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 10_000, intervalMs = 50, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(
    `Timed out after ${timeoutMs} ms waiting for ${what}${lastError instanceof Error ? `: ${lastError.message}` : ''}`,
  );
}
