import { Injectable } from '@nestjs/common';
import { counter, histogram } from '../common/metrics/registered-metrics';
import { stageLatency } from '../common/metrics/stage-latency';
import { StageLatencies } from '../contracts/result-messages';

const SECONDS = [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 20];

export type InterimOutcome = 'computed' | 'skipped_stale';

/**
 * What became of a speculative final: confirmed (its result is the final), cancelled_before_start
 * (no inference spent), wasted (computed, then cancelled), expired (no verdict in time).
 */
export type SpeculationOutcome = 'confirmed' | 'cancelled_before_start' | 'wasted' | 'expired';
/** Who appended a confirmed speculation's final: the gateway's confirm (it was ready) or the worker. */
export type SpeculativeFinalWriter = 'gateway' | 'worker';

/**
 * STT metrics on /metrics, plus per-instance counts (several apps can share one Jest process and
 * prom-client's default registry, so tests read these instead).
 */
@Injectable()
export class SttMetrics {
  private readonly jobs = counter({
    name: 'rt_stt_jobs_total',
    help: 'stt jobs by kind and outcome',
    labelNames: ['kind', 'outcome'],
  });
  private readonly inferences = counter({
    name: 'rt_stt_inferences_total',
    help: 'whisper runs',
    labelNames: ['kind'],
  });
  private readonly inferenceSeconds = histogram({
    name: 'rt_stt_inference_seconds',
    help: 'whisper inference time per segment',
    labelNames: ['kind'],
    buckets: SECONDS,
  });
  private readonly audioSeconds = counter({
    name: 'rt_stt_audio_seconds_total',
    help: 'Seconds of audio transcribed by whisper, by kind',
    labelNames: ['kind'],
  });
  private readonly realTimeFactor = histogram({
    name: 'rt_stt_real_time_factor',
    help: 'whisper inference seconds per second of audio, per job',
    labelNames: ['kind'],
    buckets: [0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10],
  });
  private readonly stages = stageLatency();
  private readonly finalLatency = histogram({
    name: 'rt_stt_final_latency_seconds',
    help: 'utterance end (or enqueue) to final written',
    labelNames: [],
    buckets: SECONDS,
  });
  private readonly speculations = counter({
    name: 'rt_stt_speculations_total',
    help: 'speculative finals by outcome (wasted = computed, then cancelled)',
    labelNames: ['outcome'],
  });
  private readonly speculativeFinals = counter({
    name: 'rt_stt_speculative_finals_total',
    help: 'confirmed speculative finals by writer: gateway = ready before the threshold, appended by the confirm itself',
    labelNames: ['writer'],
  });
  readonly counts = {
    inferences: 0,
    interimsComputed: 0,
    interimsSkipped: 0,
    finals: 0,
    noSpeech: 0,
    badAudio: 0,
    speculations: { confirmed: 0, cancelled_before_start: 0, wasted: 0, expired: 0 } as Record<
      SpeculationOutcome,
      number
    >,
    speculativeFinals: { gateway: 0, worker: 0 } as Record<SpeculativeFinalWriter, number>,
  };

  speculation(outcome: SpeculationOutcome): void {
    this.counts.speculations[outcome]++;
    this.speculations.inc({ outcome });
  }

  speculativeFinal(writer: SpeculativeFinalWriter): void {
    this.counts.speculativeFinals[writer]++;
    this.speculativeFinals.inc({ writer });
  }

  interim(outcome: InterimOutcome): void {
    this.jobs.inc({ kind: 'interim', outcome });
    if (outcome === 'computed') this.counts.interimsComputed++;
    else this.counts.interimsSkipped++;
  }

  inference(kind: 'interim' | 'final', ms: number, audioSeconds: number): void {
    this.counts.inferences++;
    this.inferences.inc({ kind });
    this.inferenceSeconds.observe({ kind }, ms / 1000);
    if (audioSeconds <= 0) return;
    this.audioSeconds.inc({ kind }, audioSeconds);
    this.realTimeFactor.observe({ kind }, ms / 1000 / audioSeconds);
  }

  /** A final was written (once per utterance); the stages are those of live speech only. */
  final(latency: StageLatencies, outcome: 'text' | 'no_speech', upload?: boolean): void {
    this.counts.finals++;
    if (outcome === 'no_speech') this.counts.noSpeech++;
    this.jobs.inc({ kind: 'final', outcome });
    this.finalLatency.observe((latency.totalMs ?? 0) / 1000);
    if (upload) return;
    this.stages.observe({ stage: 'queue' }, latency.queueMs / 1000);
    this.stages.observe({ stage: 'stt' }, latency.sttMs / 1000);
  }

  badAudio(kind: 'interim' | 'final'): void {
    this.counts.badAudio++;
    this.jobs.inc({ kind, outcome: 'bad_audio' });
  }
}
