import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { ReadinessRegistry } from '../common/health/readiness.registry';
import { WorkerFactory } from '../common/queues/worker.factory';
import { QueueName } from '../contracts/queue-names';
import { WHISPER_ENGINE, WhisperEngine } from './engine/whisper-engine';
import { SttJobService } from './stt-job.service';

/**
 * Consumes the stt queue once the engine is ready. Up to STT_POOL_SIZE x MAX_BATCH_SIZE jobs are
 * taken at a time (plus STT_POOL_SIZE with speculative finals on); they wait for a model
 * instance, finals first.
 */
@Injectable()
export class SttProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger('SttProcessor');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(WHISPER_ENGINE) private readonly engine: WhisperEngine,
    private readonly workers: WorkerFactory,
    private readonly jobs: SttJobService,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.readiness.register('stt', () => {
      const status = this.engine.status();
      const worker =
        this.workers.isRunning(QueueName.Stt) && this.workers.isRunning(QueueName.SttUpload);
      return { ready: status.ready && worker, details: { ...status, worker } };
    });
    const status = this.engine.status();
    if (!status.ready) {
      this.logger.error(`Not consuming the stt queue: ${status.reason ?? 'engine not ready'}`);
      return;
    }
    // With speculative finals, one more job per context: a computed speculation waiting for the
    // gateway's verdict holds its job but no context.
    const waiting = this.config.vad.speculativeSilenceSeconds > 0 ? this.config.stt.poolSize : 0;
    this.workers.start(QueueName.Stt, (job) => this.jobs.handle(job), {
      concurrency: this.config.stt.poolSize * this.config.stt.maxBatchSize + waiting,
    });
    // Uploaded files take what live speech leaves: never every context (with more than one),
    // and never a worker slot of the live queue.
    this.workers.start(QueueName.SttUpload, (job) => this.jobs.handle(job), {
      concurrency: Math.max(1, this.config.stt.poolSize - 1),
    });
  }
}
