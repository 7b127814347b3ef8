import { type Histogram } from 'prom-client';
import { histogram } from './registered-metrics';

/**
 * The stages of a final, each observed by the role where it happens: `vad` (end of speech to the
 * VAD ending the utterance) and `delivery` (final written to sent) on the gateway, `queue` and
 * `stt` on the stt worker, `translation` (enqueued to written) on the translation worker.
 */
export type LatencyStage = 'vad' | 'queue' | 'stt' | 'translation' | 'delivery';

export function stageLatency(): Histogram<'stage'> {
  return histogram({
    name: 'rt_stage_latency_seconds',
    help: 'Per-stage latency of a final: vad, queue, stt, translation, delivery',
    labelNames: ['stage'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10],
  });
}
