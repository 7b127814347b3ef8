/**
 * Jest global set-up and tear-down of the integration, e2e and soak tiers: a private redis-server
 * and a private PostgreSQL cluster on spare ports for the whole run (shared by the integration
 * tier's two workers: each test has its own key prefix, SQLite file or schema), so the tests never
 * use (or change) the machine's own services; the random-weights model is written on first use.
 * TEST_REDIS_URL or TEST_POSTGRES_URL, when set, point the tests at servers of your own instead.
 */
import { ensureRandomWeightsModel } from '../../scripts/random-weights-model';
import { freePort } from './ports';
import { TestPostgresServer } from './postgres-server';
import { TestRedisServer } from './redis-server';
import { createTestTempRoot, removeTestTempRoot } from './test-temp';

interface Services {
  root: string;
  redis?: TestRedisServer;
  postgres?: TestPostgresServer;
}
const holder = globalThis as typeof globalThis & { rtTestServices?: Services };

export async function setup(): Promise<void> {
  const services: Services = { root: createTestTempRoot() };
  holder.rtTestServices = services;
  ensureRandomWeightsModel((line) => process.stderr.write(`\n${line}\n`));
  if (!process.env.TEST_REDIS_URL) {
    services.redis = new TestRedisServer(await freePort());
    await services.redis.start();
    process.env.TEST_REDIS_URL = services.redis.url;
    process.stderr.write(`\nTest services: private redis-server on port ${services.redis.port}`);
  }
  if (!process.env.TEST_POSTGRES_URL) {
    services.postgres = new TestPostgresServer(await freePort());
    await services.postgres.start();
    process.env.TEST_POSTGRES_URL = services.postgres.url;
    process.stderr.write(`, private PostgreSQL on port ${services.postgres.port}\n`);
  }
}

export async function teardown(): Promise<void> {
  const services = holder.rtTestServices;
  if (!services) return;
  await Promise.all([services.redis?.stop('SIGTERM'), services.postgres?.stop()]);
  const leftovers = removeTestTempRoot(services.root);
  if (leftovers > 0)
    process.stderr.write(`Stopped ${leftovers} process(es) the tests left running\n`);
}
