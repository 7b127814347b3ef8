import { type INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { streamRoutes } from '../gateway/ws/stream-routes';
import { asyncApiDocument } from './asyncapi-document';

/** Where the gateway serves its API descriptions (public port). */
export const API_DOCS_PATHS = {
  openapi: '/openapi.json',
  page: '/docs',
  asyncapi: '/asyncapi.json',
} as const;

const VERSION = '1';

/** The HTTP API as OpenAPI 3, generated from the controllers and their decorators. */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Realtime transcription gateway: HTTP API')
    .setDescription(
      'HTTP endpoints on GATEWAY_PORT. The WebSocket protocols are in /asyncapi.json; ' +
        'health and metrics are on HEALTH_PORT (docs/http-api.md).',
    )
    .setVersion(VERSION)
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key or session token' })
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Serves /openapi.json, a browsable page at /docs and /asyncapi.json. */
export function serveApiDocs(app: INestApplication): void {
  const document = openApiDocument(app);
  SwaggerModule.setup(API_DOCS_PATHS.page.slice(1), app, document, {
    jsonDocumentUrl: API_DOCS_PATHS.openapi.slice(1),
    raw: ['json'],
    ui: true,
  });
  const asyncapi = asyncApiDocument(streamRoutes(), VERSION);
  const http = app.getHttpAdapter();
  http.get(API_DOCS_PATHS.asyncapi, (_request: unknown, response: unknown) => {
    http.reply(response, asyncapi, 200);
  });
}
