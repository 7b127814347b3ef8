import { histogram } from '../common/metrics/registered-metrics';

/** Silero cost as seen by Prometheus: how many streams share a call, and how long a call takes. */
export class VadMetrics {
  private readonly batchSize = histogram({
    name: 'rt_vad_silero_batch_size',
    help: 'Streams evaluated together in one Silero VAD call',
    buckets: [1, 2, 4, 8, 16, 32, 64],
  });
  private readonly runSeconds = histogram({
    name: 'rt_vad_silero_run_seconds',
    help: 'Duration of one Silero VAD call (one batch)',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05],
  });

  observeRun(batch: number, seconds: number): void {
    this.batchSize.observe(batch);
    this.runSeconds.observe(seconds);
  }
}
