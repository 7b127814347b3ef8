import { type INestApplication, Logger } from '@nestjs/common';
import { type FSWatcher, readFileSync, watch } from 'node:fs';
import { type Server as HttpsServer, type ServerOptions } from 'node:https';
import { type HttpsOptions } from '@nestjs/common/interfaces/external/https-options.interface';
import { type AppConfig, type SecurityConfig } from '../common/config/app-config';

type Next = () => void;
type NextError = (error?: unknown) => void;
interface BodyParserError {
  type?: unknown;
  status?: number;
  statusCode?: number;
  message: string;
}
interface JsonResponse {
  status(code: number): { json(body: unknown): void };
}
interface HeaderTarget {
  setHeader(name: string, value: string): void;
}

const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:.]+\](:\d{1,5})?$/;

/**
 * The web app's policy: scripts, styles and connections only from this origin, nobody may frame
 * it. WebSockets only to the host the page came from: `'self'` covers ws/wss of the same host in
 * CSP 3, the explicit ws:// and wss:// of the request's Host serve older browsers.
 */
export function contentSecurityPolicy(host: string | undefined): string {
  const sockets = host && HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self'${sockets}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers every HTTP response carries. */
export function securityHeaders(tls: boolean): Record<string, string> {
  return {
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    ...(tls ? { 'Strict-Transport-Security': 'max-age=31536000; includeSubDomains' } : {}),
  };
}

/** Security headers, body limits and CORS (only for ALLOWED_ORIGINS) on the Express app. */
export function applyHttpSecurity(app: INestApplication, config: AppConfig): void {
  const security = config.security;
  const headers = Object.entries(securityHeaders(security.tls !== undefined));
  const instance = app.getHttpAdapter().getInstance() as {
    disable?: (setting: string) => void;
  };
  instance.disable?.('x-powered-by');
  app.use((request: { headers: { host?: string } }, response: HeaderTarget, next: Next) => {
    for (const [name, value] of headers) response.setHeader(name, value);
    response.setHeader('Content-Security-Policy', contentSecurityPolicy(request.headers.host));
    next();
  });
  const app2 = app as INestApplication & {
    useBodyParser?: (type: string, options: Record<string, unknown>) => void;
  };
  app2.useBodyParser?.('json', { limit: security.maxBodyBytes });
  app2.useBodyParser?.('urlencoded', { limit: security.maxBodyBytes, extended: true });
  // Body parser refusals (413 too large, 400 malformed, 415 charset) are client mistakes: answer
  // them here, without the error-level stack trace Nest would log for each one.
  app.use((error: BodyParserError, _request: unknown, response: JsonResponse, next: NextError) => {
    const status = error?.status ?? error?.statusCode;
    if (typeof error?.type !== 'string' || !status || status < 400 || status >= 500) {
      return next(error);
    }
    response.status(status).json({ statusCode: status, message: error.message });
  });
  if (security.allowedOrigins.length > 0) {
    app.enableCors({
      origin: [...security.allowedOrigins],
      methods: ['GET', 'POST', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type'],
      credentials: false,
      maxAge: 600,
    });
  }
}

function readTls(
  tls: NonNullable<SecurityConfig['tls']>,
): Pick<ServerOptions, 'cert' | 'key' | 'ca'> {
  return {
    cert: readFileSync(tls.certFile),
    key: readFileSync(tls.keyFile),
    ...(tls.caFile ? { ca: readFileSync(tls.caFile) } : {}),
  };
}

/** https.Server options for TLS_CERT/TLS_KEY (and TLS_CA: client certificates required). */
export function httpsOptions(config: AppConfig): HttpsOptions | undefined {
  const tls = config.security.tls;
  if (!tls) return undefined;
  return {
    ...readTls(tls),
    ...(tls.caFile ? { requestCert: true, rejectUnauthorized: true } : {}),
  };
}

/**
 * Reloads the certificate when its files change (renewal without restart): new handshakes use
 * it, open connections keep theirs. A half-written or bad pair is logged and the old one kept.
 */
export function watchCertificates(server: HttpsServer, config: AppConfig): () => void {
  const tls = config.security.tls;
  if (!tls) return () => undefined;
  const logger = new Logger('TLS');
  let timer: NodeJS.Timeout | undefined;
  const reload = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      try {
        server.setSecureContext(readTls(tls));
        logger.log('Certificate reloaded');
      } catch (error) {
        logger.warn(
          `Certificate reload failed, keeping the previous one: ${(error as Error).message}`,
        );
      }
    }, 200);
    timer.unref();
  };
  const files = [tls.certFile, tls.keyFile, tls.caFile].filter((f): f is string => !!f);
  const watchers: FSWatcher[] = files.map((file) => watch(file, reload));
  for (const watcher of watchers) watcher.on('error', () => undefined);
  return () => {
    clearTimeout(timer);
    for (const watcher of watchers) watcher.close();
  };
}
