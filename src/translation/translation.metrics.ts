import { Injectable } from '@nestjs/common';
import { counter, gauge, histogram } from '../common/metrics/registered-metrics';
import { stageLatency } from '../common/metrics/stage-latency';

/** Translation metrics on /metrics. */
@Injectable()
export class TranslationMetrics {
  readonly translations = counter({
    name: 'rt_translations_total',
    help: 'Translations written, per engine, language pair and kind (final/interim/http)',
    labelNames: ['engine', 'pair', 'kind'],
  });
  readonly failures = counter({
    name: 'rt_translation_failures_total',
    help: 'Translations that failed, per engine, pair and reason',
    labelNames: ['engine', 'pair', 'reason'],
  });
  readonly latency = histogram({
    name: 'rt_translation_duration_seconds',
    help: 'Engine time per translation, per engine and pair',
    labelNames: ['engine', 'pair'],
    buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  readonly restarts = counter({
    name: 'rt_translation_engine_restarts_total',
    help: 'Engine processes restarted after they died or stalled (Apertium pipelines), per pair',
    labelNames: ['engine', 'pair'],
  });
  readonly modelBytes = gauge({
    name: 'rt_translation_model_memory_bytes',
    help: 'Memory held by each loaded neural translation model (its weight files)',
    labelNames: ['model'],
  });
  readonly modelsLoaded = gauge({
    name: 'rt_translation_models_loaded',
    help: 'Neural translation models in memory',
    labelNames: [],
  });

  private readonly stages = stageLatency();

  /** A final's translation was written: the translation stage, from its job's enqueue. */
  finalTranslated(enqueuedAt: number): void {
    this.stages.observe({ stage: 'translation' }, Math.max(0, Date.now() - enqueuedAt) / 1000);
  }

  modelsChanged(loaded: ReadonlyMap<string, number>): void {
    this.modelBytes.reset();
    for (const [model, bytes] of loaded) this.modelBytes.set({ model }, bytes);
    this.modelsLoaded.set(loaded.size);
  }
}
