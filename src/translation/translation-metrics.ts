import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, register } from 'prom-client';

function counter(name: string, help: string, labelNames: string[]): Counter {
  return (
    (register.getSingleMetric(name) as Counter | undefined) ??
    new Counter({ name, help, labelNames })
  );
}

function gauge(name: string, help: string, labelNames: string[]): Gauge {
  return (
    (register.getSingleMetric(name) as Gauge | undefined) ?? new Gauge({ name, help, labelNames })
  );
}

/** Translation metrics (get-or-create: several apps may share one process in tests). */
@Injectable()
export class TranslationMetrics {
  readonly translations = counter(
    'rt_translations_total',
    'Translations written, per engine, language pair and kind (final/interim/http)',
    ['engine', 'pair', 'kind'],
  );
  readonly failures = counter(
    'rt_translation_failures_total',
    'Translations that failed, per engine, pair and reason',
    ['engine', 'pair', 'reason'],
  );
  readonly latency =
    (register.getSingleMetric('rt_translation_duration_seconds') as Histogram | undefined) ??
    new Histogram({
      name: 'rt_translation_duration_seconds',
      help: 'Engine time per translation, per engine and pair',
      labelNames: ['engine', 'pair'],
      buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    });
  readonly restarts = counter(
    'rt_translation_engine_restarts_total',
    'Engine processes restarted after they died or stalled (Apertium pipelines), per pair',
    ['engine', 'pair'],
  );
  readonly modelBytes = gauge(
    'rt_translation_model_memory_bytes',
    'Memory held by each loaded neural translation model (its weight files)',
    ['model'],
  );
  readonly modelsLoaded = gauge(
    'rt_translation_models_loaded',
    'Neural translation models in memory',
    [],
  );

  modelsChanged(loaded: ReadonlyMap<string, number>): void {
    this.modelBytes.reset();
    for (const [model, bytes] of loaded) this.modelBytes.set({ model }, bytes);
    this.modelsLoaded.set(loaded.size);
  }
}
