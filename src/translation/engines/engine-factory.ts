import { type AppConfig, type TranslationEngineName } from '../../common/config/app-config';
import { ApertiumEngine } from './apertium/apertium.engine';
import { LibreTranslateEngine } from './libretranslate/libretranslate.engine';
import { type ModelManager } from './neural/model-manager';
import { NllbEngine } from './neural/nllb.engine';
import { OpusMtEngine } from './neural/opus-mt.engine';
import { type Seq2SeqTranslator } from './neural/seq2seq-model';
import { type TranslationEngine } from './translation-engine';

export interface EngineDeps {
  config: AppConfig;
  models: ModelManager<Seq2SeqTranslator>;
  onRestart: (engine: string, pair: string) => void;
}

/**
 * The engines a process runs, in routing order: the configured engine first, then Apertium as
 * the fallback for pairs the first does not serve (it needs no model files, so it is always
 * there). With TRANSLATION_ENGINE=apertium only Apertium runs.
 */
export function createEngines(deps: EngineDeps): TranslationEngine[] {
  const { config } = deps;
  const primary = createEngine(config.translation.engine, deps);
  return primary.name === 'apertium' ? [primary] : [primary, createEngine('apertium', deps)];
}

export function createEngine(name: TranslationEngineName, deps: EngineDeps): TranslationEngine {
  const { translation, stt } = deps.config;
  const neural = {
    modelsDir: stt.modelsDir,
    dtype: translation.modelDtype,
    beams: translation.beamSize,
  };
  switch (name) {
    case 'apertium':
      return new ApertiumEngine({
        dataDir: translation.apertiumDir,
        timeoutMs: translation.timeoutMs,
        idleMs: translation.modelIdleSeconds * 1000,
        onRestart: (pair) => deps.onRestart('apertium', pair),
      });
    case 'nllb':
      return new NllbEngine(translation.nllbModel, deps.models, neural);
    case 'opus-mt':
      return new OpusMtEngine(deps.models, neural);
    case 'libretranslate':
      if (!translation.url) {
        throw new Error('TRANSLATION_ENGINE=libretranslate needs TRANSLATION_URL');
      }
      return new LibreTranslateEngine(translation.url, translation.timeoutMs);
  }
}

/** The first engine that serves the pair, or undefined when none does. */
export function routeEngine(
  engines: readonly TranslationEngine[],
  source: string,
  target: string,
): TranslationEngine | undefined {
  return engines.find((engine) => engine.supports(source, target));
}
