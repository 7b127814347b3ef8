import { Controller, Get, Inject } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorResult,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { RedisClient } from '../redis/redis.module';
import { ReadinessRegistry } from './readiness.registry';

const CHECK_TIMEOUT_MS = 1500;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly registry: ReadinessRegistry,
    private readonly redis: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The process is up and its event loop turns; says nothing about dependencies. */
  @Get('live')
  live(): { status: 'ok'; roles: readonly string[]; uptimeSeconds: number } {
    return { status: 'ok', roles: this.config.roles, uptimeSeconds: Math.round(process.uptime()) };
  }

  /** Redis answers and every component of the running roles is ready. */
  @Get(['ready', ''])
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.draining(),
      () => this.redisPing(),
      ...this.registry.entries().map(
        ([name, check]) =>
          () =>
            this.component(name, check),
      ),
    ]);
  }

  private draining(): HealthIndicatorResult {
    const check = this.indicator.check('shutdown');
    return this.registry.isDraining() ? check.down({ draining: true }) : check.up();
  }

  private async redisPing(): Promise<HealthIndicatorResult> {
    const check = this.indicator.check('redis');
    try {
      await withTimeout(this.redis.redis.ping(), CHECK_TIMEOUT_MS);
      return check.up();
    } catch (error) {
      return check.down({ message: (error as Error).message });
    }
  }

  private async component(
    name: string,
    run: () =>
      | Promise<{ ready: boolean; details?: Record<string, unknown> }>
      | { ready: boolean; details?: Record<string, unknown> },
  ): Promise<HealthIndicatorResult> {
    const check = this.indicator.check(name);
    try {
      const status = await withTimeout(Promise.resolve(run()), CHECK_TIMEOUT_MS);
      return status.ready ? check.up(status.details) : check.down(status.details);
    } catch (error) {
      return check.down({ message: (error as Error).message });
    }
  }
}
