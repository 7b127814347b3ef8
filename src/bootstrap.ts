import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Server as HttpsServer } from 'node:https';
import { AppModule } from './app.module';
import { type AppConfig } from './common/config/app-config';
import { ReadinessRegistry } from './common/health/readiness.registry';
import { AppLogger } from './common/logging/app-logger';
import { applyHttpSecurity, httpsOptions, watchCertificates } from './security/http-security';
import { serveApiDocs } from './api-docs/api-docs';

/** Paths the separate health port answers (normalised by opsPath); everything else there is 404. */
const OPS_PATHS = /^\/(health(\/.*)?|metrics)$/;
/** Liveness the public port keeps (no dependency is touched, nothing internal is said). */
const PUBLIC_LIVENESS = /^\/health(\/live)?$/;

/**
 * The path as Express's router will match it: routing ignores case, repeated and trailing
 * slashes, so the filter must compare the same form (`/METRICS/`, `/Health/Ready` are `/metrics`,
 * `/health/ready`). Percent-encoding is decoded too, should a proxy in front decode it.
 */
function opsPath(url: string): string {
  const [path = ''] = url.split(/[?#]/, 1);
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // A malformed escape routes nowhere; compare the raw form.
  }
  return (
    decoded
      .toLowerCase()
      .replace(/\/{2,}/g, '/')
      .replace(/\/+$/, '') || '/'
  );
}

interface MinimalResponse {
  writeHead(status: number, headers: Record<string, string>): { end(body: string): void };
}

/**
 * On the public port (GATEWAY_PORT) readiness and metrics do not exist: they expose internals
 * (error texts of Redis and the database) and cost Redis round trips. `/health` and
 * `/health/live` answer a bare liveness there; everything else is the HEALTH_PORT's.
 */
function publicOpsFilter(fromOpsPort: WeakSet<object>) {
  return (request: IncomingMessage, response: MinimalResponse, next: () => void): void => {
    const path = opsPath(request.url ?? '');
    if (fromOpsPort.has(request) || !OPS_PATHS.test(path)) return next();
    if (PUBLIC_LIVENESS.test(path)) {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    response
      .writeHead(404, { 'content-type': 'application/json' })
      .end('{"statusCode":404,"message":"Not Found"}');
  };
}

/** A URL as it may be logged: the password (decoded or not) is never part of it. */
function withoutPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password === '') return url;
  parsed.password = 'redacted';
  return parsed.toString();
}

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
  const tls = config.roles.includes('gateway') ? httpsOptions(config) : undefined;
  const app = await NestFactory.create(AppModule.forRoot(config), {
    logger,
    abortOnError: false,
    ...(tls ? { httpsOptions: tls } : {}),
  });
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
  applyHttpSecurity(app, config);
  const tls = app.getHttpServer() instanceof HttpsServer;
  let opsServer: Server | undefined;
  let stopWatching = (): void => undefined;

  if (config.roles.includes('gateway')) {
    const fromOpsPort = new WeakSet<object>();
    app.use(publicOpsFilter(fromOpsPort));
    serveApiDocs(app);
    await app.listen(config.gateway.port, config.http.host);
    if (tls) stopWatching = watchCertificates(app.getHttpServer() as HttpsServer, config);
    const handler = app.getHttpAdapter().getInstance() as (req: unknown, res: unknown) => void;
    opsServer = createServer((req, res) => {
      fromOpsPort.add(req);
      if (OPS_PATHS.test(opsPath(req.url ?? ''))) return handler(req, res);
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
      (config.roles.includes('gateway')
        ? `, gateway on :${config.gateway.port}${tls ? ' (TLS)' : ''}`
        : '') +
      `; Redis ${withoutPassword(config.redis.url)} (key prefix "${config.redis.prefix}")`,
    'Bootstrap',
  );

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      app.get(ReadinessRegistry).startDraining();
      stopWatching();
      await app.close();
      if (opsServer) await new Promise<void>((resolve) => opsServer.close(() => resolve()));
    })();
    return closing;
  };
  return { app, close };
}
