import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueService } from 'src/common/queues/queue.service';
import { QueueName } from 'src/contracts/queue-names';
import { JOB_PRIORITY } from 'src/common/queues/job-defaults';
import { type TranslationJob } from 'src/contracts/job-payloads';
import { type ResultMessage, type TranslationResult } from 'src/contracts/result-messages';
import { ResultStreamService } from 'src/utterance/result-stream.service';
import { UtteranceRevisionsService } from 'src/utterance/utterance-revisions.service';
import { startApp, type RunningApp } from 'src/bootstrap';
import { type AppConfig } from 'src/common/config/app-config';
import { type ApertiumEngine } from 'src/translation/engines/apertium/apertium.engine';
import { TranslationEnginesService } from 'src/translation/translation-engines.service';
import { TranslationDirectoryService } from 'src/translation/translation-directory.service';
import { cleanupPrefix, testConfig, waitFor } from '../helpers/test-env';

let counter = 0;

function job(overrides: Partial<TranslationJob>): TranslationJob {
  counter++;
  return {
    sessionId: `s${counter}`,
    utteranceId: `s${counter}:1`,
    index: 1,
    kind: 'final',
    revision: 1,
    text: 'Hello world.',
    source: 'en',
    targets: ['es'],
    enqueuedAt: Date.now(),
    ...overrides,
  };
}

describe('translation role (real Redis, real Apertium)', () => {
  let running: RunningApp;
  let config: AppConfig;
  let queues: QueueService;
  let results: ResultStreamService;
  let base: string;

  beforeAll(async () => {
    config = await testConfig({
      ROLE: 'gateway,translation',
      TRANSLATION_TIMEOUT_MS: '1500',
      TRANSLATION_MAX_CHARS: '300',
    });
    running = await startApp(config);
    queues = running.app.get(QueueService);
    results = running.app.get(ResultStreamService);
    base = `http://127.0.0.1:${config.gateway.port}`;
    const ready = `http://127.0.0.1:${config.http.healthPort}/health/ready`;
    await waitFor(async () => (await fetch(ready)).status === 200, { what: 'ready' });
  });

  afterAll(async () => {
    await running?.close();
    await cleanupPrefix(config.redis.prefix);
  });

  async function messages(sessionId: string): Promise<ResultMessage[]> {
    return (await results.readAfter(sessionId, '0')).map((entry) => entry.message);
  }

  async function translations(sessionId: string, count: number): Promise<TranslationResult[]> {
    return waitFor(
      async () => {
        const found = (await messages(sessionId)).filter(
          (m): m is TranslationResult => m.type === 'translation',
        );
        return found.length >= count ? found : undefined;
      },
      { what: `${count} translations in ${sessionId}` },
    );
  }

  async function enqueue(data: TranslationJob): Promise<void> {
    await queues.add(QueueName.Translation, data.kind, data, {
      priority: data.kind === 'final' ? JOB_PRIORITY.final : JOB_PRIORITY.interim,
    });
  }

  function apertium(): ApertiumEngine {
    return running.app.get(TranslationEnginesService).engine<ApertiumEngine>('apertium')!;
  }

  it('fans one final out to Spanish and Catalan with Apertium output in the session stream', async () => {
    const data = job({ text: 'The cat is black.', targets: ['es', 'ca'] });
    await enqueue(data);
    const found = await translations(data.sessionId, 2);
    const byLanguage = Object.fromEntries(found.map((m) => [m.language, m]));
    expect(byLanguage.es).toMatchObject({
      type: 'translation',
      utteranceId: data.utteranceId,
      index: 1,
      kind: 'final',
      source: 'en',
      text: 'El gato es negro.',
      passthrough: false,
      engine: 'apertium',
    });
    expect(byLanguage.ca).toMatchObject({ text: 'El gat és negre.', engine: 'apertium' });
    expect(found).toHaveLength(2);
  });

  it('gives what the apertium command gives for text with reserved characters and unknown words', async () => {
    const sentences = [
      'I want to eat an apple [now] at home, Xyzzy.',
      'I pay 5 dollars <now> for a/b at @home.',
      'Back\\slash {braces} ^caret$ ~tilde',
    ];
    for (const text of sentences) {
      const data = job({ text, targets: ['es'] });
      await enqueue(data);
      const [result] = await translations(data.sessionId, 1);
      // A file argument: apertium reads /dev/stdin, which fails on Node's socket pipes.
      const input = join(mkdtempSync(join(tmpdir(), 'rt-apertium-')), 'in.txt');
      writeFileSync(input, text);
      const cli = execFileSync('apertium', ['-u', 'eng-spa', input], { encoding: 'utf8' });
      expect(result.text).toBe(cli.trim());
    }
  });

  it('passes the text through when source and target are the same language', async () => {
    const data = job({ text: 'Hello world.', targets: ['en', 'es'] });
    await enqueue(data);
    const found = await translations(data.sessionId, 2);
    const en = found.find((m) => m.language === 'en');
    expect(en).toMatchObject({ text: 'Hello world.', passthrough: true, engine: 'passthrough' });
    expect(found.find((m) => m.language === 'es')?.text).toBe('Hola Mundo.');
  });

  it('reports an unsupported pair once per session while the other targets still flow', async () => {
    const first = job({ text: 'Good morning, my friend.', targets: ['de', 'es'] });
    await enqueue(first);
    await translations(first.sessionId, 1);
    const second = {
      ...job({}),
      sessionId: first.sessionId,
      utteranceId: `${first.sessionId}:2`,
      index: 2,
      text: 'The house is red.',
      targets: ['de', 'es'],
    };
    await enqueue(second);
    const found = await translations(first.sessionId, 2);
    expect(found.map((m) => m.text)).toEqual(['Buenos días, mi amigo.', 'La casa es roja.']);
    const errors = (await messages(first.sessionId)).filter((m) => m.type === 'error');
    expect(errors).toEqual([
      expect.objectContaining({ code: 'unsupported_language_pair', retryable: false }),
    ]);
    expect(errors[0].type === 'error' && errors[0].message).toContain('en to de');
  });

  it('translates interims with their own dedupe ids and skips stale ones', async () => {
    const revisions = running.app.get(UtteranceRevisionsService);
    const stale = job({ kind: 'interim', revision: 3, text: 'The house', targets: ['es'] });
    await revisions.mark(stale.utteranceId, 4); // the gateway already sent a newer snapshot
    const staleId = await queues.add(QueueName.Translation, 'interim', stale, {
      priority: JOB_PRIORITY.interim,
    });
    const queue = queues.queue(QueueName.Translation);
    await waitFor(async () => (await queue.getJob(staleId))?.isCompleted(), {
      what: 'stale interim job done',
    });
    const fresh = { ...stale, revision: 4, text: 'The house is' };
    await enqueue(fresh);
    await enqueue(fresh); // a retried or duplicated job: delivered once
    const [interim] = await translations(stale.sessionId, 1);
    expect(interim).toMatchObject({ kind: 'interim', text: 'La casa es', language: 'es' });
    await waitFor(
      async () => (await queue.getJobCountByTypes('wait', 'prioritized', 'active')) === 0,
      {
        what: 'queue drained',
      },
    );
    expect(await messages(stale.sessionId)).toHaveLength(1);
  });

  it('restarts a killed Apertium pipeline and still completes the job', async () => {
    const engine = apertium();
    await engine.translate({ text: 'ok', source: 'en', target: 'es', priority: 'final' });
    const before = engine.pipelinePid('en', 'es')!;
    expect(before).toBeGreaterThan(0);
    process.kill(-before, 'SIGKILL');

    const data = job({ text: 'The cat is black.', targets: ['es'] });
    await enqueue(data);
    const [result] = await translations(data.sessionId, 1);
    expect(result.text).toBe('El gato es negro.');
    const after = engine.pipelinePid('en', 'es');
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
  });

  it('times out a stuck pipeline, kills it and retries on a fresh one', async () => {
    const engine = apertium();
    await engine.translate({ text: 'ok', source: 'en', target: 'ca', priority: 'final' });
    const stuck = engine.pipelinePid('en', 'ca')!;
    process.kill(-stuck, 'SIGSTOP');

    const data = job({ text: 'The cat is black.', targets: ['ca'] });
    await enqueue(data);
    const [result] = await translations(data.sessionId, 1);
    expect(result.text).toBe('El gat és negre.');
    expect(engine.pipelinePid('en', 'ca')).not.toBe(stuck);
    const metrics = await (
      await fetch(`http://127.0.0.1:${config.http.healthPort}/metrics`)
    ).text();
    expect(metrics).toMatch(
      /rt_translation_engine_restarts_total\{engine="apertium",pair="en-ca"\} [1-9]/,
    );
  });

  it('reports each engine and pair in /health/ready and counts translations in /metrics', async () => {
    const response = await fetch(`http://127.0.0.1:${config.http.healthPort}/health/ready`);
    const health = (await response.json()) as {
      status: string;
      details: {
        translation: {
          status: string;
          engines: Record<string, { ready: boolean; pairs: Record<string, string> }>;
        };
      };
    };
    expect(health.status).toBe('ok');
    const translation = health.details.translation;
    expect(translation.status).toBe('up');
    expect(translation.engines.apertium.ready).toBe(true);
    expect(Object.keys(translation.engines.apertium.pairs)).toEqual(
      expect.arrayContaining(['en-es', 'es-en', 'en-ca', 'ca-en']),
    );
    const metrics = await (
      await fetch(`http://127.0.0.1:${config.http.healthPort}/metrics`)
    ).text();
    expect(metrics).toMatch(
      /rt_translations_total\{engine="apertium",pair="en-es",kind="final"\} \d+/,
    );
    expect(metrics).toContain('rt_translation_duration_seconds_bucket');
    expect(metrics).toMatch(
      /rt_translation_failures_total\{engine="none",pair="en-de",reason="unsupported"\} \d+/,
    );
    expect(metrics).toContain('rt_translation_models_loaded 0');
  });

  describe('LibreTranslate-compatible API on the gateway', () => {
    async function post(body: unknown): Promise<{ status: number; json: unknown }> {
      const response = await fetch(`${base}/translate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, json: await response.json() };
    }

    it('POST /translate answers {translatedText} for a string', async () => {
      expect(await post({ q: 'Hello world.', source: 'en', target: 'es', format: 'text' })).toEqual(
        {
          status: 200,
          json: { translatedText: 'Hola Mundo.' },
        },
      );
    });

    it('POST /translate answers a list for a list, in order', async () => {
      expect(
        await post({ q: ['The cat is black.', 'The house is red.'], source: 'en', target: 'es' }),
      ).toEqual({
        status: 200,
        json: { translatedText: ['El gato es negro.', 'La casa es roja.'] },
      });
    });

    it('accepts form-encoded bodies as LibreTranslate does', async () => {
      const response = await fetch(`${base}/translate`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ q: 'Hello world.', source: 'en', target: 'ca' }).toString(),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ translatedText: 'Hola món.' });
    });

    it.each([
      [{ source: 'en', target: 'es' }, 'Invalid request: missing q parameter'],
      [{ q: 'Hi', target: 'es' }, 'Invalid request: missing source parameter'],
      [{ q: 'Hi', source: 'en' }, 'Invalid request: missing target parameter'],
      [{ q: 'Hi', source: 'xx', target: 'es' }, 'xx is not supported'],
      [{ q: 'Hi', source: 'en', target: 'de' }, 'Translation from en to de is not supported'],
      [
        { q: 'x'.repeat(301), source: 'en', target: 'es' },
        'Invalid request: request (301) exceeds text limit (300)',
      ],
      [
        { q: [1, 2], source: 'en', target: 'es' },
        'Invalid request: q must be a string or a list of strings',
      ],
    ])('answers 400 with a JSON error: %#', async (body, error) => {
      expect(await post(body)).toEqual({ status: 400, json: { error } });
    });

    it('GET /languages lists each source with its targets', async () => {
      const response = await fetch(`${base}/languages`);
      expect(response.status).toBe(200);
      const languages = await response.json();
      expect(languages).toEqual(
        expect.arrayContaining([
          { code: 'en', name: 'English', targets: ['ca', 'es'] },
          { code: 'es', name: 'Spanish', targets: ['en'] },
          { code: 'ca', name: 'Catalan', targets: ['en'] },
        ]),
      );
    });
  });
});

describe('LibreTranslate-compatible API without a translation worker', () => {
  it('answers 503 when the queue is full and when no answer comes in time', async () => {
    const config = await testConfig({
      ROLE: 'gateway',
      MAX_QUEUE_DEPTH: '1',
      TRANSLATION_TIMEOUT_MS: '300',
    });
    const running = await startApp(config);
    const url = `http://127.0.0.1:${config.gateway.port}/translate`;
    const post = async (q: string) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ q, source: 'en', target: 'es' }),
      });
      return { status: response.status, json: await response.json() };
    };
    try {
      const ready = `http://127.0.0.1:${config.http.healthPort}/health/ready`;
      await waitFor(async () => (await fetch(ready)).status === 200, { what: 'ready' });
      // A worker that advertised en-es and then stopped taking jobs.
      await running.app
        .get(TranslationDirectoryService)
        .publish('gone', [{ source: 'en', target: 'es' }]);
      const queues = running.app.get(QueueService);
      const first = post('Hello');
      await waitFor(async () => (await queues.depth(QueueName.Translation)) === 1, {
        what: 'job queued',
      });
      expect(await post('Hello again')).toEqual({
        status: 503,
        json: { error: 'Translation queue is full, try again later' },
      });
      expect(await first).toEqual({
        status: 503,
        json: { error: 'No translation within the time limit (en-es)' },
      });
    } finally {
      await running.close();
      await cleanupPrefix(config.redis.prefix);
    }
  });

  it('answers 503 when no worker serves translations', async () => {
    const config = await testConfig({ ROLE: 'gateway' });
    const running = await startApp(config);
    try {
      const ready = `http://127.0.0.1:${config.http.healthPort}/health/ready`;
      await waitFor(async () => (await fetch(ready)).status === 200, { what: 'ready' });
      const response = await fetch(`http://127.0.0.1:${config.gateway.port}/translate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ q: 'Hello', source: 'en', target: 'es' }),
      });
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ error: 'No translation worker is running' });
    } finally {
      await running.close();
      await cleanupPrefix(config.redis.prefix);
    }
  });
});
