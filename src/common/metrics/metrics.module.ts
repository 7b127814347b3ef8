import { Inject, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { Gauge, register } from 'prom-client';
import { gauge } from './registered-metrics';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { QueueService } from '../queues/queue.service';
import { QueuesModule } from '../queues/queues.module';
import { QueueName } from '../../contracts/queue-names';

/** Metrics every role exposes: which roles run, and the depth of every queue. */
@Injectable()
export class CoreMetrics implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queues: QueueService,
  ) {}

  onModuleInit(): void {
    const info = gauge({
      name: 'rt_process_info',
      help: 'Roles this process runs',
      labelNames: ['role'],
    });
    for (const role of this.config.roles) info.set({ role }, 1);

    register.removeSingleMetric('rt_queue_depth');
    const queues = this.queues;
    new Gauge({
      name: 'rt_queue_depth',
      help: 'Jobs waiting in each queue (wait + prioritized + delayed)',
      labelNames: ['queue'],
      async collect() {
        await Promise.all(
          Object.values(QueueName).map(async (queue) => {
            try {
              this.set({ queue }, await queues.depth(queue));
            } catch {
              // Redis away: leave the last value; /health/ready reports the outage.
            }
          }),
        );
      },
    });
  }
}

/** Exports nothing (so not global): each role's metrics are providers of its own module. */
@Module({
  imports: [
    PrometheusModule.register({ path: '/metrics', defaultMetrics: { enabled: true } }),
    QueuesModule,
  ],
  providers: [CoreMetrics],
})
export class MetricsModule {}
