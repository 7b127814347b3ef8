import { startApp, type RunningApp } from 'src/bootstrap';
import { type AppConfig } from 'src/common/config/app-config';
import { ApiKeyService } from 'src/persistence/api-keys/api-key.service';
import { cleanupPrefix, testConfig, waitFor } from '../helpers/test-env';

/**
 * LibreTranslate clients against a real gateway with the real translation role (Apertium en-es,
 * es-en, en-ca, ca-en), real Redis and the real key store, with requests shaped as the clients
 * send them: Mastodon posts JSON {q: [html...], source: 'auto', target, format: 'html', api_key}
 * and reads translatedText[i] and detectedLanguage[i].language.
 */
describe('LibreTranslate API: detection, html, api_key, forms', () => {
  let running: RunningApp;
  let config: AppConfig;
  let key: string;
  let base: string;

  beforeAll(async () => {
    config = await testConfig({
      ROLE: 'gateway,translation',
      AUTH_REQUIRED: 'true',
      TRANSLATE_REQUESTS_PER_MINUTE: '1000',
      // Room for a cold Apertium pipeline on a busy machine.
      TRANSLATION_TIMEOUT_MS: '10000',
      TRANSLATION_MAX_CHARS: '2000',
      TRANSLATE_PENDING_PER_KEY: '2',
    });
    running = await startApp(config);
    base = `http://127.0.0.1:${config.gateway.port}`;
    const ready = `http://127.0.0.1:${config.http.healthPort}/health/ready`;
    await waitFor(async () => (await fetch(ready)).status === 200, { what: 'ready' });
    key = (await running.app.get(ApiKeyService).create({ name: 'libretranslate-e2e' })).key;
  });

  afterAll(async () => {
    await running?.close();
    await cleanupPrefix(config.redis.prefix);
  });

  async function post(
    path: string,
    body: Record<string, unknown>,
  ): Promise<{ status: number; json: unknown }> {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: await response.json() };
  }

  it('translates a Mastodon request: html list, source auto, api_key in the body', async () => {
    const { status, json } = await post('/translate', {
      q: [
        '<p>El gato es <b>negro</b> y la casa es roja.</p>',
        '<p>El gat és negre i la casa és vermella.</p>',
      ],
      source: 'auto',
      target: 'en',
      format: 'html',
      api_key: key,
    });
    expect(status).toBe(200);
    expect(json).toEqual({
      translatedText: [
        '<p>The cat is <b>black</b> and the house is red.</p>',
        '<p>The cat is black and the home is red.</p>',
      ],
      detectedLanguage: [
        { language: 'es', confidence: expect.any(Number) },
        { language: 'ca', confidence: expect.any(Number) },
      ],
    });
    const [spanish, catalan] = (json as { detectedLanguage: { confidence: number }[] })
      .detectedLanguage;
    for (const { confidence } of [spanish, catalan]) {
      expect(confidence).toBeGreaterThan(50);
      expect(confidence).toBeLessThanOrEqual(100);
    }
  });

  it('detects English and Spanish sentences for a single text, with LibreTranslate’s shape', async () => {
    expect(
      await post('/translate', {
        q: 'The cat is black and the house is red.',
        source: 'auto',
        target: 'es',
        api_key: key,
      }),
    ).toEqual({
      status: 200,
      // en is the only language that translates to es here.
      json: {
        translatedText: 'El gato es negro y la casa es roja.',
        detectedLanguage: { language: 'en', confidence: 100 },
      },
    });
    const spanish = await post('/translate', {
      q: 'Me gusta mucho este libro.',
      source: 'auto',
      target: 'en',
      api_key: key,
    });
    expect(spanish.json).toMatchObject({
      translatedText: 'It likes me a lot this book.',
      detectedLanguage: { language: 'es' },
    });
  });

  it('gives a short text the language of the rest of the request', async () => {
    const { json } = await post('/translate', {
      q: ['Hola', 'El gato es negro y la casa es roja.'],
      source: 'auto',
      target: 'en',
      api_key: key,
    });
    const detected = (json as { detectedLanguage: { language: string }[] }).detectedLanguage;
    expect(detected.map((d) => d.language)).toEqual(['es', 'es']);
  });

  it('keeps nested tags, attributes with text and entities in html', async () => {
    const { status, json } = await post('/translate', {
      q: '<div class="post"><p title="The black cat">The <b>black <i>cat</i></b> &amp; the house&nbsp;<a href="/x?a=1&amp;b=2">is red</a>.</p><!-- the cat --><script>var a = "the cat";</script></div>',
      source: 'en',
      target: 'es',
      format: 'html',
      api_key: key,
    });
    expect(status).toBe(200);
    // Apertium's own word order; every tag, attribute, comment, script and entity in place.
    expect(json).toEqual({
      translatedText:
        '<div class="post"><p title="The black cat">El <b>gato <i>negro</i></b> &amp; la casa&nbsp;<a href="/x?a=1&amp;b=2">es roja</a>.</p><!-- the cat --><script>var a = "the cat";</script></div>',
    });
  });

  it('escapes a bare <, > or & of the prose in html, as every engine does (issue 24, item 17)', async () => {
    const { status, json } = await post('/translate', {
      q: '<p>The cat <3 the dog & 1 > 0</p><p>x <y z</p>',
      source: 'en',
      target: 'es',
      format: 'html',
      api_key: key,
    });
    expect(status).toBe(200);
    const text = (json as { translatedText: string }).translatedText;
    expect(text).toMatch(/^<p>.*&lt;3.*&amp;.*&gt; 0<\/p><p>.*&lt;y.*<\/p>$/);
    expect(text.replace(/<\/?p>/g, '')).not.toMatch(/[<>]|&(?!amp;|lt;|gt;)/);
  });

  it('counts the pieces of prose of html against TRANSLATE_MAX_ITEMS (issue 24, item 10)', async () => {
    const many = Array.from({ length: 70 }, (_, i) => `<b>gato ${i}</b>`).join(' ');
    const { status, json } = await post('/translate', {
      q: many,
      source: 'es',
      target: 'en',
      format: 'html',
      api_key: key,
    });
    expect(status).toBe(400);
    expect((json as { error: string }).error).toBe(
      'Invalid request: the html holds 70 pieces of text between tags, more than the limit of 64 per request',
    );
  });

  it('refuses more texts than TRANSLATE_MAX_ITEMS with 400, never a queue that is always full (item 13)', async () => {
    const { status, json } = await post('/translate', {
      q: Array.from({ length: 101 }, () => 'El gato.'),
      source: 'es',
      target: 'en',
      api_key: key,
    });
    expect(status).toBe(400);
    expect((json as { error: string }).error).toContain('exceed the limit of 64 per request');
    const most = await post('/translate', {
      q: Array.from({ length: 64 }, () => 'El gato.'),
      source: 'es',
      target: 'en',
      api_key: key,
    });
    expect(most.status).toBe(200);
  });

  it('gives one key at most TRANSLATE_PENDING_PER_KEY requests in flight; another key is served (item 13)', async () => {
    const other = (await running.app.get(ApiKeyService).create({ name: 'second tenant' })).key;
    const ask = (apiKey: string) =>
      post('/translate', {
        q: Array.from({ length: 8 }, (_, i) => `El gato ${i} es negro.`),
        source: 'es',
        target: 'en',
        api_key: apiKey,
      });
    const [greedy, polite] = await Promise.all([
      Promise.all(Array.from({ length: 12 }, () => ask(key))),
      ask(other),
    ]);
    const refused = greedy.filter((answer) => answer.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0].json).toEqual({
      error: 'Too many requests: at most 2 translations in progress at once for this key',
    });
    expect(greedy.filter((answer) => answer.status === 200).length).toBeGreaterThanOrEqual(2);
    expect(polite.status).toBe(200);
  });

  it('answers POST /detect with the languages it can translate from, most likely first', async () => {
    const { status, json } = await post('/detect', {
      q: 'El gato es negro y la casa es roja.',
      api_key: key,
    });
    expect(status).toBe(200);
    const detections = json as { language: string; confidence: number }[];
    expect(detections[0]).toEqual({ language: 'es', confidence: expect.any(Number) });
    expect(detections.map((d) => d.language).sort()).toEqual(['ca', 'en', 'es']);
    for (const { confidence } of detections) {
      expect(confidence).toBeGreaterThanOrEqual(0);
      expect(confidence).toBeLessThanOrEqual(100);
    }
    const english = await post('/detect', { q: 'The cat is black.', api_key: key });
    expect((english.json as { language: string }[])[0].language).toBe('en');
    expect(
      (
        (await post('/detect', { q: 'The cat is black.', api_key: key })).json as {
          language: string;
        }[]
      )[0].language,
    ).toBe('en');
  });

  it('accepts the api_key field or the Authorization header, and refuses a bad or missing key', async () => {
    const body = { q: 'Hello world.', source: 'en', target: 'ca' };
    expect(await post('/translate', { ...body, api_key: key })).toEqual({
      status: 200,
      json: { translatedText: 'Hola món.' },
    });
    const viaHeader = await fetch(`${base}/translate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    });
    expect(await viaHeader.json()).toEqual({ translatedText: 'Hola món.' });
    const bad = await post('/translate', { ...body, api_key: `rtk_${'Z'.repeat(43)}` });
    expect(bad.status).toBe(401);
    expect(bad.json).toEqual({ error: expect.any(String) });
    const missing = await post('/detect', { q: 'Hello' });
    expect(missing.status).toBe(401);
    expect(missing.json).toEqual({ error: expect.stringContaining('API key') });
  });

  it('accepts form-encoded and multipart bodies, with a list of texts as repeated q fields', async () => {
    const form = new URLSearchParams([
      ['q', 'The cat is black.'],
      ['q', 'The house is red.'],
      ['source', 'auto'],
      ['target', 'es'],
      ['alternatives', '3'],
      ['api_key', key],
    ]);
    const encoded = await fetch(`${base}/translate`, { method: 'POST', body: form });
    expect(encoded.status).toBe(200);
    expect(await encoded.json()).toEqual({
      translatedText: ['El gato es negro.', 'La casa es roja.'],
      detectedLanguage: [
        { language: 'en', confidence: 100 },
        { language: 'en', confidence: 100 },
      ],
      alternatives: [[], []],
    });

    const multipart = new FormData();
    multipart.append('q', '<p>Hello <b>world</b>.</p>');
    multipart.append('source', 'en');
    multipart.append('target', 'ca');
    multipart.append('format', 'html');
    multipart.append('api_key', key);
    const parts = await fetch(`${base}/translate`, { method: 'POST', body: multipart });
    expect(parts.status).toBe(200);
    expect(await parts.json()).toEqual({ translatedText: '<p>Hola <b>món</b>.</p>' });

    const detect = new FormData();
    detect.append('q', 'El gat és negre i la casa és vermella.');
    detect.append('api_key', key);
    const detected = await fetch(`${base}/detect`, { method: 'POST', body: detect });
    expect(((await detected.json()) as { language: string }[])[0].language).toBe('ca');
  });

  it('answers mistakes with {error} and LibreTranslate’s status codes', async () => {
    const cases: [Record<string, unknown>, number, string][] = [
      [
        { q: 'Hi', source: 'en', target: 'es', format: 'markdown' },
        400,
        'markdown format is not supported',
      ],
      [
        { q: 'Hi', source: 'en', target: 'es', alternatives: -1 },
        400,
        'Invalid request: alternatives must be a non-negative integer',
      ],
      [{ q: 'Hi', source: 'auto', target: 'zz' }, 400, 'zz is not supported'],
      [{ q: 'Hi', source: 'auto', target: 'de' }, 400, 'No language can be translated to de'],
      [
        { q: 'x'.repeat(2001), source: 'auto', target: 'es' },
        400,
        'Invalid request: request (2001) exceeds text limit (2000)',
      ],
    ];
    for (const [body, status, error] of cases) {
      expect(await post('/translate', { ...body, api_key: key })).toEqual({
        status,
        json: { error },
      });
    }
    expect(await post('/detect', { api_key: key })).toEqual({
      status: 400,
      json: { error: 'Invalid request: missing q parameter' },
    });
    const withFile = new FormData();
    withFile.append('q', 'Hello');
    withFile.append('source', 'en');
    withFile.append('target', 'es');
    withFile.append('api_key', key);
    withFile.append('file', new Blob(['Hello']), 'hello.txt');
    const refused = await fetch(`${base}/translate`, { method: 'POST', body: withFile });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ error: expect.any(String) });
    const large = new FormData();
    large.append('q', 'x'.repeat(config.security.maxBodyBytes));
    large.append('api_key', key);
    const tooLarge = await fetch(`${base}/detect`, { method: 'POST', body: large });
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toEqual({
      error: `Request body larger than ${config.security.maxBodyBytes} bytes`,
    });
  });

  it('answers GET /frontend/settings without a credential', async () => {
    const response = await fetch(`${base}/frontend/settings`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      charLimit: 2000,
      frontendTimeout: 500,
      apiKeys: true,
      keyRequired: true,
      suggestions: false,
      filesTranslation: false,
      supportedFilesFormat: [],
      language: {
        source: { code: 'auto', name: 'Auto Detect' },
        target: { code: 'en', name: 'English' },
      },
    });
  });
});
