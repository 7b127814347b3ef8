import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { ReadinessRegistry } from '../common/health/readiness.registry';
import { createEngines, routeEngine } from './engines/engine-factory';
import { ModelLoader, ModelManager } from './engines/neural/model-manager';
import { Seq2SeqTranslator, transformersLoader } from './engines/neural/seq2seq-model';
import { LanguagePair, pairKey, TranslationEngine } from './engines/translation-engine';
import { TranslationMetrics } from './translation.metrics';

/** How neural models load; tests replace it through Nest's provider override. */
export const MODEL_LOADER = Symbol('MODEL_LOADER');

export function defaultModelLoader(config: AppConfig): ModelLoader<Seq2SeqTranslator> {
  return transformersLoader(config.stt.modelsDir, config.translation.modelDtype);
}

/** The engines of this process, their routing per pair, readiness and shutdown. */
@Injectable()
export class TranslationEnginesService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('TranslationEnginesService');
  readonly models: ModelManager<Seq2SeqTranslator>;
  readonly engines: TranslationEngine[];
  private initialized = false;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(MODEL_LOADER) loader: ModelLoader<Seq2SeqTranslator>,
    private readonly readiness: ReadinessRegistry,
    metrics: TranslationMetrics,
  ) {
    const gc = (globalThis as { gc?: () => void }).gc;
    this.models = new ModelManager(loader, {
      idleMs: config.translation.modelIdleSeconds * 1000,
      maxLoaded: config.translation.maxLoadedModels,
      gc,
      onChange: (loaded) => metrics.modelsChanged(loaded),
    });
    this.engines = createEngines({
      config,
      models: this.models,
      onRestart: (engine, pair) => metrics.restarts.inc({ engine, pair }),
    });
  }

  async onModuleInit(): Promise<void> {
    await Promise.all(this.engines.map((engine) => engine.init()));
    this.initialized = true;
    this.logger.log(
      `Translation engines: ${this.engines.map((e) => `${e.name} (${e.pairs().length} pairs)`).join(', ')}`,
    );
    this.readiness.register('translation', () => {
      const engines = Object.fromEntries(this.engines.map((e) => [e.name, e.status()]));
      return {
        ready: this.initialized && this.engines.some((engine) => engine.status().ready),
        details: { engines },
      };
    });
  }

  route(source: string, target: string): TranslationEngine | undefined {
    return routeEngine(this.engines, source, target);
  }

  /** Every pair some engine serves, deduplicated. */
  pairs(): LanguagePair[] {
    const seen = new Map<string, LanguagePair>();
    for (const engine of this.engines) {
      for (const pair of engine.pairs()) seen.set(pairKey(pair.source, pair.target), pair);
    }
    return [...seen.values()];
  }

  engine<T extends TranslationEngine>(name: string): T | undefined {
    return this.engines.find((engine) => engine.name === name) as T | undefined;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.engines.map((engine) => engine.close()));
    await this.models.close();
  }
}
