import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadConfig } from '../../common/config/load-config';
import { modelDir, modelFiles } from '../models/translation-model-catalog';
import { planTarget } from '../translation.service';
import { createEngines, routeEngine } from './engine-factory';
import { ModelManager } from './neural/model-manager';
import { NllbEngine } from './neural/nllb.engine';
import { OpusMtEngine } from './neural/opus-mt.engine';
import {
  assertModelFiles,
  type GenerateOptions,
  type Seq2SeqTranslator,
  transformersLoader,
} from './neural/seq2seq-model';
import { EngineUnavailableError, type TranslationEngine } from './translation-engine';

function stubEngine(name: string, pairs: string[]): TranslationEngine {
  return {
    name,
    init: () => Promise.resolve(),
    supports: (s, t) => pairs.includes(`${s}-${t}`),
    pairs: () => pairs.map((p) => ({ source: p.split('-')[0], target: p.split('-')[1] })),
    translate: () => Promise.resolve(''),
    status: () => ({ ready: true, pairs: {} }),
    close: () => Promise.resolve(),
  };
}

/** Records what the model is asked, answers with tagged text: no model files exist here. */
function recordingModels() {
  const calls: { name: string; sentences: string[]; options: GenerateOptions }[] = [];
  const models = new ModelManager<Seq2SeqTranslator>(
    (name) =>
      Promise.resolve({
        bytes: 1,
        dispose: () => Promise.resolve(),
        model: {
          translate(sentences: string[], options: GenerateOptions) {
            calls.push({ name, sentences, options });
            return Promise.resolve(sentences.map((s) => `${options.tgtLang ?? ''} <${s}></s>`));
          },
        },
      }),
    { idleMs: 60_000, maxLoaded: 2 },
  );
  return { models, calls };
}

function fakeModelFiles(modelsDir: string, name: string): void {
  for (const file of modelFiles('q8')) {
    const path = join(modelDir(modelsDir, name), file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, '{}');
  }
}

describe('engine selection', () => {
  it('routes each pair to the first engine that serves it', () => {
    const nllb = stubEngine('nllb', ['en-de', 'en-es']);
    const apertium = stubEngine('apertium', ['en-es', 'en-ca']);
    expect(routeEngine([nllb, apertium], 'en', 'es')?.name).toBe('nllb');
    expect(routeEngine([nllb, apertium], 'en', 'ca')?.name).toBe('apertium');
    expect(routeEngine([nllb, apertium], 'en', 'fr')).toBeUndefined();
  });

  it('plans pass-through for the same language, unsupported when no engine serves the pair', () => {
    const apertium = stubEngine('apertium', ['en-es']);
    const route = (s: string, t: string) => routeEngine([apertium], s, t);
    expect(planTarget('en', 'EN-us', route)).toEqual({
      kind: 'passthrough',
      source: 'en',
      target: 'en',
    });
    expect(planTarget('en', 'es', route)).toMatchObject({ kind: 'translate', engine: apertium });
    expect(planTarget('en', 'de', route)).toEqual({
      kind: 'unsupported',
      source: 'en',
      target: 'de',
    });
    expect(planTarget('en', 'klingon', route)).toMatchObject({ kind: 'unsupported' });
  });

  it.each([
    ['apertium', ['apertium']],
    ['nllb', ['nllb', 'apertium']],
    ['opus-mt', ['opus-mt', 'apertium']],
  ])('TRANSLATION_ENGINE=%s runs %j, Apertium as the fallback', (engine, names) => {
    const config = loadConfig({ TRANSLATION_ENGINE: engine });
    const { models } = recordingModels();
    const engines = createEngines({ config, models, onRestart: () => undefined });
    expect(engines.map((e) => e.name)).toEqual(names);
    void models.close();
  });

  it('refuses the libretranslate engine without TRANSLATION_URL', () => {
    const config = loadConfig({ TRANSLATION_ENGINE: 'libretranslate' });
    const { models } = recordingModels();
    expect(() => createEngines({ config, models, onRestart: () => undefined })).toThrow(
      'TRANSLATION_ENGINE=libretranslate needs TRANSLATION_URL',
    );
    void models.close();
  });
});

describe('neural engines up to the model call', () => {
  const options = {
    modelsDir: mkdtempSync(join(tmpdir(), 'rt-models-')),
    dtype: 'q8' as const,
    beams: 2,
  };

  it('NLLB sends sentences with FLORES codes and cleans and joins the output', async () => {
    const { models, calls } = recordingModels();
    const modelsDir = mkdtempSync(join(tmpdir(), 'rt-nllb-'));
    fakeModelFiles(modelsDir, 'nllb-200-distilled-600M');
    const engine = new NllbEngine('nllb-200-distilled-600M', models, { ...options, modelsDir });
    expect(engine.supports('en', 'ca')).toBe(true);
    expect(engine.supports('en', 'xx')).toBe(false);
    const text = await engine.translate({
      text: 'Hello there.  How are you?',
      source: 'en',
      target: 'ca',
      priority: 'final',
    });
    expect(calls).toEqual([
      {
        name: 'nllb-200-distilled-600M',
        sentences: ['Hello there.', 'How are you?'],
        options: { srcLang: 'eng_Latn', tgtLang: 'cat_Latn', beams: 2, maxNewTokens: 32 },
      },
    ]);
    expect(text).toBe('<Hello there.> <How are you?>');
    await models.close();
  });

  it('NLLB without model files serves no pair (Apertium takes over) and names the command', () => {
    const { models } = recordingModels();
    const engine = new NllbEngine('nllb-200-distilled-600M', models, options);
    expect(engine.status()).toMatchObject({ ready: false, pairs: { '*': 'model files missing' } });
    expect(engine.supports('en', 'es')).toBe(false);
    expect(engine.pairs()).toEqual([]);
    const apertium = stubEngine('apertium', ['en-es']);
    expect(routeEngine([engine, apertium], 'en', 'es')).toBe(apertium);
    expect(() => assertModelFiles(options.modelsDir, 'nllb-200-distilled-600M', 'q8')).toThrow(
      /missing config\.json.*fetch it with: npm run models:translation -- nllb-200-distilled-600M/,
    );
    try {
      assertModelFiles(options.modelsDir, 'nllb-200-distilled-600M', 'q8');
    } catch (error) {
      expect(error).toBeInstanceOf(EngineUnavailableError);
    }
    void models.close();
  });

  it('opus-mt serves the pairs whose complete model folders exist, with target tokens for groups', async () => {
    const modelsDir = mkdtempSync(join(tmpdir(), 'rt-opus-'));
    fakeModelFiles(modelsDir, 'opus-mt-en-de');
    fakeModelFiles(modelsDir, 'opus-mt-en-ROMANCE');
    mkdirSync(modelDir(modelsDir, 'opus-mt-en-fi'), { recursive: true }); // incomplete: ignored
    const { models, calls } = recordingModels();
    const engine = new OpusMtEngine(models, { ...options, modelsDir });
    await engine.init();
    expect(engine.supports('en', 'de')).toBe(true);
    expect(engine.supports('en', 'es')).toBe(true);
    expect(engine.supports('en', 'fi')).toBe(false);
    await engine.translate({ text: 'Hi.', source: 'en', target: 'es', priority: 'final' });
    await engine.translate({ text: 'Hi.', source: 'en', target: 'de', priority: 'final' });
    expect(calls.map((c) => [c.name, c.sentences])).toEqual([
      ['opus-mt-en-ROMANCE', ['>>es<< Hi.']],
      ['opus-mt-en-de', ['Hi.']],
    ]);
    await expect(
      engine.translate({ text: 'Hi.', source: 'en', target: 'fi', priority: 'final' }),
    ).rejects.toThrow('npm run models:translation -- opus-mt-en-fi');
    await models.close();
  });
});

describe('transformers.js loader', () => {
  it('turns model files it cannot load into a clear error naming the command', async () => {
    const modelsDir = mkdtempSync(join(tmpdir(), 'rt-broken-'));
    fakeModelFiles(modelsDir, 'opus-mt-en-de');
    const load = transformersLoader(modelsDir, 'q8');
    const error = await load('opus-mt-en-de').catch((e: Error) => e);
    expect(error).toBeInstanceOf(EngineUnavailableError);
    expect((error as Error).message).toMatch(
      /Translation model opus-mt-en-de in .* could not be loaded \(.+\); fetch it again with: npm run models:translation -- opus-mt-en-de --force/,
    );
  });
});
