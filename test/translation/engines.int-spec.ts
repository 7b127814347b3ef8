import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, type RunningApp } from 'src/bootstrap';
import { type AppConfig } from 'src/common/config/app-config';
import { QueueService } from 'src/common/queues/queue.service';
import { QueueName } from 'src/contracts/queue-names';
import { type ResultMessage } from 'src/contracts/result-messages';
import { ResultStreamService } from 'src/utterance/result-stream.service';
import { cleanupPrefix, testConfig, waitFor } from '../helpers/test-env';

/**
 * A small LibreTranslate server double (the real one is a Python service with models we cannot
 * have here): the same endpoints and answer shapes.
 */
async function startLibreTranslate(): Promise<{ server: Server; url: string; seen: unknown[] }> {
  const seen: unknown[] = [];
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/languages') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify([
          { code: 'en', name: 'English', targets: ['de', 'es'] },
          { code: 'de', name: 'German', targets: ['en'] },
        ]),
      );
      return;
    }
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const request = JSON.parse(body) as { q: string; source: string; target: string };
      seen.push(request);
      if (request.q.includes('boom')) {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"model crashed"}');
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ translatedText: `[${request.target}] ${request.q}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { server, url: `http://127.0.0.1:${port}`, seen };
}

describe('LibreTranslate engine (TRANSLATION_ENGINE=libretranslate)', () => {
  let libre: Awaited<ReturnType<typeof startLibreTranslate>>;
  let config: AppConfig;
  let running: RunningApp;

  beforeAll(async () => {
    libre = await startLibreTranslate();
    config = await testConfig({
      ROLE: 'translation',
      TRANSLATION_ENGINE: 'libretranslate',
      TRANSLATION_URL: libre.url,
      JOB_ATTEMPTS: '1',
    });
    running = await startApp(config);
  });

  afterAll(async () => {
    await running?.close();
    await cleanupPrefix(config.redis.prefix);
    await new Promise((resolve) => libre.server.close(resolve));
  });

  it('sends the pairs it serves to the server, falls back to Apertium for the others', async () => {
    const queues = running.app.get(QueueService);
    const results = running.app.get(ResultStreamService);
    await queues.add(QueueName.Translation, 'final', {
      sessionId: 'lt1',
      utteranceId: 'lt1:1',
      index: 1,
      kind: 'final',
      revision: 1,
      text: 'The cat is black.',
      source: 'en',
      targets: ['de', 'ca'],
      enqueuedAt: Date.now(),
    });
    const found = await waitFor(async () => {
      const messages = (await results.readAfter('lt1', '0')).map((e) => e.message);
      return messages.length >= 2 ? messages : undefined;
    });
    const byLanguage = Object.fromEntries(
      found.map((m: ResultMessage) => [m.type === 'translation' ? m.language : m.type, m]),
    );
    expect(byLanguage.de).toMatchObject({
      text: '[de] The cat is black.',
      engine: 'libretranslate',
    });
    expect(byLanguage.ca).toMatchObject({ text: 'El gat és negre.', engine: 'apertium' });
    expect(libre.seen).toEqual([
      { q: 'The cat is black.', source: 'en', target: 'de', format: 'text' },
    ]);
  });

  it('turns a server failure into a translation_failed error for that utterance', async () => {
    const queues = running.app.get(QueueService);
    const results = running.app.get(ResultStreamService);
    await queues.add(QueueName.Translation, 'final', {
      sessionId: 'lt2',
      utteranceId: 'lt2:1',
      index: 1,
      kind: 'final',
      revision: 1,
      text: 'boom',
      source: 'en',
      targets: ['es'],
      enqueuedAt: Date.now(),
    });
    const [error] = await waitFor(async () => {
      const messages = (await results.readAfter('lt2', '0')).map((e) => e.message);
      return messages.length >= 1 ? messages : undefined;
    });
    expect(error).toMatchObject({
      type: 'error',
      code: 'translation_failed',
      utteranceId: 'lt2:1',
      retryable: false,
    });
    expect(error.type === 'error' && error.message).toContain('LibreTranslate answered 500');
  });

  it('reports the server pairs and Apertium in /health/ready', async () => {
    const response = await fetch(`http://127.0.0.1:${config.http.healthPort}/health/ready`);
    const body = (await response.json()) as {
      details: { translation: { engines: Record<string, { ready: boolean; pairs: object }> } };
    };
    const engines = body.details.translation.engines;
    expect(engines.libretranslate).toMatchObject({
      ready: true,
      pairs: { 'en-de': 'ready', 'en-es': 'ready', 'de-en': 'ready' },
    });
    expect(engines.apertium.ready).toBe(true);
  });
});

describe('TRANSLATION_ENGINE=nllb without model files', () => {
  it('falls back to Apertium and says in /health/ready which files are missing', async () => {
    const modelsDir = mkdtempSync(join(tmpdir(), 'rt-empty-models-'));
    const config = await testConfig({
      ROLE: 'translation',
      TRANSLATION_ENGINE: 'nllb',
      MODELS_DIR: modelsDir,
    });
    const running = await startApp(config);
    try {
      const queues = running.app.get(QueueService);
      const results = running.app.get(ResultStreamService);
      await queues.add(QueueName.Translation, 'final', {
        sessionId: 'nl1',
        utteranceId: 'nl1:1',
        index: 1,
        kind: 'final',
        revision: 1,
        text: 'The cat is black.',
        source: 'en',
        targets: ['es'],
        enqueuedAt: Date.now(),
      });
      const [result] = await waitFor(async () => {
        const messages = (await results.readAfter('nl1', '0')).map((e) => e.message);
        return messages.length >= 1 ? messages : undefined;
      });
      expect(result).toMatchObject({
        type: 'translation',
        text: 'El gato es negro.',
        engine: 'apertium',
      });
      const response = await fetch(`http://127.0.0.1:${config.http.healthPort}/health/ready`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as {
        details: { translation: { engines: Record<string, { ready: boolean; detail?: string }> } };
      };
      expect(body.details.translation.engines.nllb).toMatchObject({
        ready: false,
        detail: expect.stringContaining('onnx/encoder_model_quantized.onnx'),
      });
    } finally {
      await running.close();
      await cleanupPrefix(config.redis.prefix);
    }
  });
});
