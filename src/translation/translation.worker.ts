import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { Job } from 'bullmq';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { TranslationJob } from '../common/queues/job-payloads';
import { QueueName } from '../common/queues/queue-names';
import { WorkerFactory } from '../common/queues/worker.factory';
import { TranslationDirectory, DIRECTORY_TTL_MS } from './translation-directory.service';
import { TranslationEngines } from './translation-engines.service';
import { TranslationService } from './translation.service';

/**
 * The translation queue's consumer: thin, hands each job to TranslationService. Starts after the
 * engines are initialised and advertises the pairs it serves to gateways.
 */
@Injectable()
export class TranslationWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('TranslationWorker');
  private refresh?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly workers: WorkerFactory,
    private readonly translation: TranslationService,
    private readonly engines: TranslationEngines,
    private readonly directory: TranslationDirectory,
  ) {}

  onApplicationBootstrap(): void {
    this.workers.start(QueueName.Translation, (job) => this.process(job), {
      concurrency: this.config.translation.concurrency,
    });
    void this.advertise();
    this.refresh = setInterval(() => void this.advertise(), DIRECTORY_TTL_MS / 3);
    this.refresh.unref();
  }

  async process(job: Job<TranslationJob>): Promise<void> {
    const attempts = job.opts.attempts ?? 1;
    await this.translation.handle(job.data, job.attemptsMade + 1 >= attempts);
  }

  private async advertise(): Promise<void> {
    try {
      await this.directory.publish(this.config.stt.workerId, this.engines.pairs());
    } catch (error) {
      this.logger.warn(`Could not advertise translation pairs: ${(error as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.refresh);
    try {
      await this.directory.withdraw(this.config.stt.workerId);
    } catch {
      // Redis away: the entry expires on its own.
    }
  }
}
