import 'reflect-metadata';
import { startApp, createLogger } from './bootstrap';
import { ConfigError } from './common/config/config-error';
import { loadConfig } from './common/config/load-config';
import { type AppConfig } from './common/config/app-config';

const SHUTDOWN_DEADLINE_MS = 30_000;

function readConfigOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const config = readConfigOrExit();
  // `node dist/main.js --check-config`: validate the environment and exit (compose's config_check).
  if (process.argv.includes('--check-config')) {
    process.stdout.write(`Configuration valid for roles ${config.roles.join(', ')}\n`);
    return;
  }
  const logger = createLogger(config);
  const running = await startApp(config, logger);

  // Our own handlers, not enableShutdownHooks(): Nest re-raises the signal after closing, which
  // makes the exit code 143; a clean drain should exit 0.
  const shutdown = (signal: NodeJS.Signals): void => {
    logger.log(`${signal} received: draining`, 'Bootstrap');
    const timer = setTimeout(() => {
      logger.error(`Shutdown took longer than ${SHUTDOWN_DEADLINE_MS} ms; exiting`, 'Bootstrap');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    timer.unref();
    running.close().then(
      () => {
        logger.log('Stopped cleanly', 'Bootstrap');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error(`Shutdown failed: ${String(error)}`, 'Bootstrap');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`Fatal: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
