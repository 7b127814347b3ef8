import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createServer, Server } from 'node:http';
import { AppModule } from './app.module';
import { AppConfig } from './common/config/app-config';
import { ReadinessRegistry } from './common/health/readiness.registry';
import { AppLogger } from './common/logging/app-logger';

/** Paths the separate health port answers; everything else there is 404. */
const OPS_PATHS = /^\/(health(\/.*)?|metrics)(\?.*)?$/;

export interface RunningApp {
  app: INestApplication;
  /** Stops taking work, drains, closes queues and Redis. */
  close(): Promise<void>;
}

export function createLogger(config: AppConfig, write?: (line: string) => void): AppLogger {
  return new AppLogger({
    format: config.log.format,
    level: config.log.level,
    base: { roles: config.roles.join(',') },
    secrets: config.secrets,
    write,
  });
}

/**
 * Starts one process's roles. With the gateway role the public HTTP and WebSocket server listens
 * on GATEWAY_PORT and health/metrics on HEALTH_PORT; worker roles listen only on HEALTH_PORT.
 */
export async function startApp(
  config: AppConfig,
  logger = createLogger(config),
): Promise<RunningApp> {
  const app = await NestFactory.create(AppModule.forRoot(config), { logger, abortOnError: false });
  return listenApp(app, config, logger);
}

/**
 * Opens the ports of an app created elsewhere (tests build it with Test.createTestingModule to
 * override a provider, e.g. test/helpers/stt-double.ts) exactly as startApp() does.
 */
export async function listenApp(
  app: INestApplication,
  config: AppConfig,
  logger: AppLogger,
): Promise<RunningApp> {
  let opsServer: Server | undefined;

  if (config.roles.includes('gateway')) {
    await app.listen(config.gateway.port, config.http.host);
    const handler = app.getHttpAdapter().getInstance() as (req: unknown, res: unknown) => void;
    opsServer = createServer((req, res) => {
      if (OPS_PATHS.test(req.url ?? '')) return handler(req, res);
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
    });
    await new Promise<void>((resolve, reject) => {
      opsServer!.once('error', reject).listen(config.http.healthPort, config.http.host, resolve);
    });
  } else {
    await app.listen(config.http.healthPort, config.http.host);
  }
  logger.log(
    `Started roles ${config.roles.join(', ')}: health and metrics on :${config.http.healthPort}` +
      (config.roles.includes('gateway') ? `, gateway on :${config.gateway.port}` : '') +
      `; Redis ${config.redis.url} (key prefix "${config.redis.prefix}")`,
    'Bootstrap',
  );

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      app.get(ReadinessRegistry).startDraining();
      await app.close();
      if (opsServer) await new Promise<void>((resolve) => opsServer.close(() => resolve()));
    })();
    return closing;
  };
  return { app, close };
}
