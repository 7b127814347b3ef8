import { type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { type AppConfig } from 'src/common/config/app-config';
import { ConfigModule } from 'src/common/config/config.module';
import { RedisClient, RedisModule } from 'src/common/redis/redis.module';
import { UtteranceModule } from 'src/utterance/utterance.module';
import { PersistenceModule } from 'src/persistence/persistence.module';

/** The integration and e2e tiers' private PostgreSQL cluster (test/helpers/e2e-services.ts; trust auth, database `test`). */
export const PG_ADMIN_URL =
  process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type Engine = 'sqlite' | 'postgres';
export const ENGINES: Engine[] = ['sqlite', 'postgres'];

export interface TestDatabase {
  url: string;
  /** PostgreSQL only: the schema of this run. */
  schema?: string;
  drop(): Promise<void>;
}

export async function pgAdmin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database: a SQLite file in a temp dir, or a PostgreSQL schema of its own. */
export function createTestDatabase(engine: Engine): Promise<TestDatabase> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'rt-db-'));
    return Promise.resolve({
      url: `sqlite:${join(dir, 'realtime.db')}`,
      drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    });
  }
  const schema = `t_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const url = new URL(PG_ADMIN_URL);
  url.searchParams.set('schema', schema);
  return Promise.resolve({
    url: url.toString(),
    schema,
    drop: () =>
      pgAdmin(async (client) => {
        await client.query(`drop schema if exists ${schema} cascade`);
      }),
  });
}

/** Config, Redis, result streams and the persistence services, without HTTP. */
export async function persistenceContext(config: AppConfig): Promise<INestApplicationContext> {
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(config), RedisModule, UtteranceModule, PersistenceModule],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error'] });
  await app.init();
  // The shared command connection fails fast (no offline queue): let it connect first.
  const redis = app.get(RedisClient).redis;
  if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
  return app;
}

/** A PostgreSQL schema reached through a login role of its own, which the test can lock out. */
export async function lockableDatabase(): Promise<{
  role: string;
  database: TestDatabase;
  lock(): Promise<void>;
  unlock(): Promise<void>;
  dropRole(): Promise<void>;
  count(sessionId: string): Promise<number>;
}> {
  const role = `r_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const schema = `t_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await pgAdmin(async (client) => {
    await client.query(`create role ${role} login`);
    await client.query(`create schema ${schema} authorization ${role}`);
  });
  const url = new URL(PG_ADMIN_URL);
  url.username = role;
  url.searchParams.set('schema', schema);
  return {
    role,
    database: {
      url: url.toString(),
      schema,
      drop: () =>
        pgAdmin(async (client) => {
          await client.query(`drop schema if exists ${schema} cascade`);
        }),
    },
    lock: () =>
      pgAdmin(async (client) => {
        await client.query(`alter role ${role} nologin`);
        await client.query(
          'select pg_terminate_backend(pid) from pg_stat_activity where usename = $1',
          [role],
        );
      }),
    unlock: () =>
      pgAdmin(async (client) => {
        await client.query(`alter role ${role} login`);
      }),
    dropRole: () =>
      pgAdmin(async (client) => {
        await client.query(`drop role if exists ${role}`);
      }),
    count: (sessionId) =>
      pgAdmin(async (client) => {
        const result = await client.query<{ n: string }>(
          `select count(*) as n from ${schema}.transcripts where session_id = $1`,
          [sessionId],
        );
        return Number(result.rows[0].n);
      }),
  };
}
