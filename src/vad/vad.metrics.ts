import { Histogram, register } from 'prom-client';

/** Several apps can share one process (tests): metrics are get-or-create. */
function histogram(name: string, help: string, buckets: number[]): Histogram {
  return (
    (register.getSingleMetric(name) as Histogram | undefined) ??
    new Histogram({ name, help, buckets })
  );
}

/** Silero cost as seen by Prometheus: how many streams share a call, and how long a call takes. */
export class VadMetrics {
  private readonly batchSize = histogram(
    'rt_vad_silero_batch_size',
    'Streams evaluated together in one Silero VAD call',
    [1, 2, 4, 8, 16, 32, 64],
  );
  private readonly runSeconds = histogram(
    'rt_vad_silero_run_seconds',
    'Duration of one Silero VAD call (one batch)',
    [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05],
  );

  observeRun(batch: number, seconds: number): void {
    this.batchSize.observe(batch);
    this.runSeconds.observe(seconds);
  }
}
