import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { Job, UnrecoverableError, Worker } from 'bullmq';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { ReadinessRegistry } from '../common/health/readiness.registry';
import { TranslationJob } from '../contracts/job-payloads';
import { invalidJobPayload } from '../common/queues/job-validation';
import { QueueName } from '../contracts/queue-names';
import { WorkerFactory } from '../common/queues/worker.factory';
import { TranslationDirectoryService, DIRECTORY_TTL_MS } from './translation-directory.service';
import { TranslationEnginesService } from './translation-engines.service';
import { TranslationService } from './translation.service';

/**
 * The translation queue's consumer: thin, fails a malformed payload for good (no retry fixes it)
 * and hands every other job to TranslationService. Starts after the engines are initialised and
 * advertises the pairs it serves to gateways.
 */
@Injectable()
export class TranslationProcessor
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger('TranslationProcessor');
  private refresh?: NodeJS.Timeout;
  private worker?: Worker<TranslationJob>;
  private stopped = false;
  /** The pairs reached the directory at least once: gateways can list them. */
  private advertised = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly workers: WorkerFactory,
    private readonly translation: TranslationService,
    private readonly engines: TranslationEnginesService,
    private readonly directory: TranslationDirectoryService,
    private readonly readiness: ReadinessRegistry,
  ) {}

  /**
   * Ready once the worker consumes and its pairs are in the directory, so that a gateway's
   * GET /languages lists them the moment this role reports ready.
   */
  onApplicationBootstrap(): void {
    this.worker = this.workers.start(QueueName.Translation, (job) => this.process(job), {
      concurrency: this.config.translation.concurrency,
    });
    this.readiness.register('translation-directory', () => ({
      ready: this.advertised && this.workers.isRunning(QueueName.Translation),
      details: { advertised: this.advertised, pairs: this.engines.pairs().length },
    }));
    this.schedule(0);
  }

  /**
   * Refreshes the entry well within its TTL; retries soon while Redis is not answering, and very
   * soon until the first entry is written (readiness waits for it).
   */
  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.refresh = setTimeout(() => {
      void this.advertise().then((ok) =>
        this.schedule(ok ? DIRECTORY_TTL_MS / 3 : this.advertised ? 500 : 50),
      );
    }, delayMs);
    this.refresh.unref();
  }

  async process(job: Job<TranslationJob>): Promise<void> {
    const invalid = invalidJobPayload(QueueName.Translation, job.data);
    if (invalid)
      throw new UnrecoverableError(`invalid translation job ${job.id ?? '?'}: ${invalid}`);
    const attempts = job.opts.attempts ?? 1;
    await this.translation.handle(job.data, job.attemptsMade + 1 >= attempts);
  }

  private async advertise(): Promise<boolean> {
    try {
      await this.directory.publish(this.config.queues.workerId, this.engines.pairs());
      this.advertised = true;
      return true;
    } catch (error) {
      this.logger.debug(`Could not advertise translation pairs yet: ${(error as Error).message}`);
      return false;
    }
  }

  /** Finishes the jobs in hand before the engines close (they close at application shutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.refresh);
    try {
      await this.directory.withdraw(this.config.queues.workerId);
    } catch {
      // Redis away: the entry expires on its own.
    }
  }
}
