/**
 * Benchmark dispatcher: `npm run bench -- <name> [args]` runs bench/<name>.bench.ts, whose default
 * export is `(args: string[]) => Promise<void>`. Without a name it lists what exists.
 * Benchmarks run against a private redis-server on a spare port unless REDIS_URL is set, and
 * those that need PostgreSQL against a private cluster unless TEST_POSTGRES_URL is set.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../test/helpers/ports';
import { TestPostgresServer } from '../test/helpers/postgres-server';
import { TestRedisServer } from '../test/helpers/redis-server';

/** Benchmarks that also measure PostgreSQL. */
const NEEDS_POSTGRES = new Set(['archive']);

async function benchPostgres(name: string): Promise<TestPostgresServer | undefined> {
  if (!NEEDS_POSTGRES.has(name) || process.env.TEST_POSTGRES_URL) return undefined;
  const server = new TestPostgresServer(await freePort());
  await server.start();
  process.env.TEST_POSTGRES_URL = server.url;
  return server;
}

/** A private redis-server for the run, unless REDIS_URL names one. */
async function benchRedis(): Promise<TestRedisServer | undefined> {
  if (process.env.REDIS_URL) {
    process.env.TEST_REDIS_URL ??= process.env.REDIS_URL;
    return undefined;
  }
  const server = new TestRedisServer(await freePort());
  await server.start();
  process.env.REDIS_URL = server.url;
  process.env.TEST_REDIS_URL = server.url;
  return server;
}

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const available = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .map((f) => f.replace(/\.bench\.ts$/, ''));
  if (!name || !available.includes(name)) {
    console.error(`usage: npm run bench -- <${available.join('|')}> [args]`);
    process.exitCode = name ? 2 : 0;
    return;
  }
  const redis = await benchRedis();
  const postgres = await benchPostgres(name);
  // Loaded after REDIS_URL is set: the benchmarks read it when their module loads.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bench = require(join(__dirname, `${name}.bench`)) as {
    default?: (args: string[]) => Promise<void>;
    run?: (args: string[]) => Promise<void>;
  };
  const entry = bench.default ?? bench.run;
  if (!entry) throw new Error(`bench/${name}.bench.ts exports neither default nor run`);
  try {
    await entry(args);
  } finally {
    await redis?.stop('SIGTERM');
    await postgres?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
