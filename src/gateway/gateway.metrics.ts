import { Injectable } from '@nestjs/common';
import { counter, gauge, histogram } from '../common/metrics/registered-metrics';
import { stageLatency } from '../common/metrics/stage-latency';

/** How a session attempt ended: `refused` (overloaded) or `error` (closed by an error). */
export type SessionEnd = 'closed' | 'refused' | 'error';

/** Gateway metrics on /metrics. */
@Injectable()
export class GatewayMetrics {
  readonly sessionsActive = gauge({
    name: 'rt_gateway_sessions_active',
    help: 'Open WebSocket sessions',
  });
  readonly audioSeconds = counter({
    name: 'rt_gateway_audio_seconds_total',
    help: 'Seconds of client audio received',
  });
  readonly framesRejected = counter({
    name: 'rt_gateway_frames_rejected_total',
    help: 'Client frames or connections rejected, by reason',
    labelNames: ['reason'],
  });
  readonly interimsDropped = counter({
    name: 'rt_gateway_interims_dropped_total',
    help: 'Interim snapshots not enqueued because the stt queue was too deep',
  });
  readonly interimsBackedOff = counter({
    name: 'rt_gateway_interims_backed_off_total',
    help: 'Interim snapshots not enqueued because busy stt workers slowed interims down',
  });
  readonly speculations = counter({
    name: 'rt_gateway_speculations_total',
    help: 'Speculative finals: started, skipped_busy (stt queue too deep), confirmed, cancelled (wasted or withdrawn)',
    labelNames: ['outcome'],
  });
  readonly deliveryLatency = histogram({
    name: 'rt_gateway_delivery_latency_seconds',
    help: 'Final of an utterance enqueued (the VAD ended it) to the final sent to the client',
    buckets: [0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
  });

  /** A histogram, not a summary: it is observed for every audio frame, and must stay cheap. */
  readonly audioLag = histogram({
    name: 'rt_gateway_audio_processing_lag_seconds',
    help: 'Audio frame received to decoded, resampled, segmented and its jobs enqueued',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  });

  readonly sessions = counter({
    name: 'rt_sessions_total',
    help: 'Sessions by outcome: started, then closed or error; refused (overloaded) never start',
    labelNames: ['result'],
  });
  readonly errors = counter({
    name: 'rt_errors_total',
    help: 'error messages sent to clients, by code',
    labelNames: ['code'],
  });
  readonly finalLatency = histogram({
    name: 'rt_final_latency_seconds',
    help: 'End of speech (its audio received) to the final sent to the client',
    buckets: [0.1, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 7.5, 10, 20],
  });
  readonly stages = stageLatency();

  constructor() {
    for (const result of ['started', 'closed', 'refused', 'error'])
      this.sessions.inc({ result }, 0);
  }

  reject(reason: string): void {
    this.framesRejected.inc({ reason });
  }

  sessionStarted(): void {
    this.sessionsActive.inc();
    this.sessions.inc({ result: 'started' });
  }

  /** `started`: the session was counted as started (and active). */
  sessionEnded(started: boolean, end: SessionEnd): void {
    if (started) this.sessionsActive.dec();
    if (started || end !== 'closed') this.sessions.inc({ result: end });
  }

  /** A final reached the client: `speechEndedAt` when its speech ended, `writtenAt` its result. */
  finalDelivered(speechEndedAt: number, writtenAt: number | undefined): void {
    const now = Date.now();
    this.finalLatency.observe(Math.max(0, now - speechEndedAt) / 1000);
    if (writtenAt !== undefined) {
      this.stages.observe({ stage: 'delivery' }, Math.max(0, now - writtenAt) / 1000);
    }
  }
}
