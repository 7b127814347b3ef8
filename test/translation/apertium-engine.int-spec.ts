import { ApertiumEngine } from 'src/translation/engines/apertium/apertium.engine';
import { waitFor } from '../helpers/test-env';

describe('Apertium engine (real Apertium)', () => {
  let engine: ApertiumEngine;
  afterEach(() => engine.close());

  it('discovers the installed pairs from the modes directory', async () => {
    engine = new ApertiumEngine({ dataDir: '/usr/share/apertium', timeoutMs: 5000 });
    await engine.init();
    const pairs = engine.pairs().map((p) => `${p.source}-${p.target}`);
    expect(pairs).toEqual(expect.arrayContaining(['en-es', 'es-en', 'en-ca', 'ca-en']));
    expect(engine.status().ready).toBe(true);
  });

  it('stops a pipeline left idle and starts a fresh one on the next sentence', async () => {
    engine = new ApertiumEngine({ dataDir: '/usr/share/apertium', timeoutMs: 5000, idleMs: 200 });
    await engine.init();
    const request = {
      text: 'Hello world.',
      source: 'en',
      target: 'es',
      priority: 'final' as const,
    };
    expect(await engine.translate(request)).toBe('Hola Mundo.');
    const first = engine.pipelinePid('en', 'es');
    expect(first).toBeDefined();
    expect(engine.status().pairs['en-es']).toBe('running');
    await waitFor(() => engine.pipelinePid('en', 'es') === undefined, { what: 'idle stop' });
    expect(engine.status().pairs['en-es']).toBe('ready');
    // The whole process group goes away.
    await waitFor(
      () => {
        try {
          process.kill(-first!, 0);
          return false;
        } catch {
          return true;
        }
      },
      { what: 'pipeline processes gone' },
    );
    expect(await engine.translate(request)).toBe('Hola Mundo.');
    expect(engine.pipelinePid('en', 'es')).not.toBe(first);
  });

  it('answers translations in many concurrent requests without mixing them up', async () => {
    engine = new ApertiumEngine({ dataDir: '/usr/share/apertium', timeoutMs: 5000 });
    await engine.init();
    const sentences = ['The cat is black.', 'The house is red.', 'Hello world.'];
    const expected = ['El gato es negro.', 'La casa es roja.', 'Hola Mundo.'];
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        engine.translate({ text: sentences[i % 3], source: 'en', target: 'es', priority: 'final' }),
      ),
    );
    answers.forEach((answer, i) => expect(answer).toBe(expected[i % 3]));
  });
});
