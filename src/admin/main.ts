import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { type RedisConnection } from '../common/redis/redis-connection.factory';
import { RedisClient } from '../common/redis/redis.module';
import { ConfigError } from '../common/config/config-error';
import { loadConfig } from '../common/config/load-config';
import { ApiKeyInputError } from '../persistence/api-keys/api-key.service';
import { AdminUsageError, parseArgs, USAGE } from './admin-args';
import { AdminCommandsService } from './admin-commands.service';
import { AdminModule } from './admin.module';

const REDIS_WAIT_MS = 3000;

/**
 * The shared Redis connection fails fast; give it a moment to connect so that revoking a key can
 * drop its cache entry. Commands still run when Redis is away (the database is what they change).
 */
async function redisReady(redis: RedisConnection, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Operator admin tool: `node dist/admin/main.js <command>` (npm run admin -- <command>). */
async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.words.length === 0 || args.options.has('help')) {
    process.stdout.write(`${USAGE}\n`);
    return args.words.length === 0 && !args.options.has('help') ? 2 : 0;
  }
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const migrating = args.words[0] === 'db' && args.words[1] === 'migrate';
  // `db migrate` migrates explicitly (and reports it); other commands migrate as the service does.
  const effective = migrating
    ? { ...config, persistence: { ...config.persistence, migrateOnStart: false } }
    : config;
  const app = await NestFactory.createApplicationContext(AdminModule.forRoot(effective), {
    logger: ['error', 'warn'],
    abortOnError: false,
  });
  try {
    await redisReady(app.get(RedisClient).redis, REDIS_WAIT_MS);
    await app.get(AdminCommandsService).run(args, (text) => process.stdout.write(text));
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${message}\n`);
    return error instanceof AdminUsageError || error instanceof ApiKeyInputError ? 2 : 1;
  } finally {
    await app.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`Fatal: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
