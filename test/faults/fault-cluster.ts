import { Redis } from 'ioredis';
import { ServiceProcess } from '../helpers/processes';
import { freePort } from '../helpers/ports';
import { TestRedisServer } from '../helpers/redis-server';
import { fixture, testEnv, uniquePrefix, waitFor } from '../helpers/test-env';

export type Role = 'gateway' | 'stt' | 'translation';

/** Lock and stall settings of the fault suite: a dead worker's job is taken over in ~2-3 s. */
export const FAULT_QUEUE_ENV = { JOB_LOCK_MS: '2000', JOB_STALLED_INTERVAL_MS: '1000' };

/** One `node dist/main.js` of one role, with its own health port. */
export class RoleProcess {
  constructor(
    readonly role: Role,
    readonly name: string,
    readonly env: Record<string, string>,
    readonly proc: ServiceProcess,
  ) {}

  get pid(): number {
    return this.proc.child.pid!;
  }

  get healthPort(): number {
    return Number(this.env.HEALTH_PORT);
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.env.GATEWAY_PORT}`;
  }

  get alive(): boolean {
    return this.proc.child.exitCode === null && this.proc.child.signalCode === null;
  }

  /** HTTP status of /health/ready, or 0 when nothing answers. */
  async readiness(): Promise<number> {
    try {
      const res = await fetch(`http://127.0.0.1:${this.healthPort}/health/ready`, {
        signal: AbortSignal.timeout(2000),
      });
      await res.arrayBuffer();
      return res.status;
    } catch {
      return 0;
    }
  }

  async waitReadiness(status: number, timeoutMs = 30_000): Promise<number> {
    const started = Date.now();
    await waitFor(async () => (await this.readiness()) === status, {
      timeoutMs,
      intervalMs: 100,
      what: `${this.name} readiness ${status}\n${this.proc.output.slice(-3000)}`,
    });
    return Date.now() - started;
  }

  signal(signal: NodeJS.Signals): void {
    process.kill(this.pid, signal);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<{ code: number | null }> {
    if (this.alive) this.proc.child.kill(signal);
    return this.proc.exited;
  }
}

/**
 * A whole deployment of real processes against a Redis of its own (on a spare port, durable so a
 * restart keeps queues and sessions), which a test may kill and restart.
 */
export class FaultCluster {
  readonly prefix = uniquePrefix();
  readonly processes: RoleProcess[] = [];
  private admin?: Redis;
  private counter = 0;

  private constructor(readonly redis: TestRedisServer) {}

  static async start(): Promise<FaultCluster> {
    const redis = new TestRedisServer(await freePort(), undefined, true);
    await redis.start();
    return new FaultCluster(redis);
  }

  /** A Redis client of the test (reconnects on its own after a restart). */
  get client(): Redis {
    this.admin ??= new Redis(this.redis.url, { maxRetriesPerRequest: 2, lazyConnect: false });
    return this.admin;
  }

  /** Starts one role and waits until it is ready. */
  async spawn(role: Role, overrides: Record<string, string> = {}): Promise<RoleProcess> {
    const name = `${role}-${++this.counter}`;
    const env = await testEnv({
      ROLE: role,
      REDIS_URL: this.redis.url,
      QUEUE_PREFIX: this.prefix,
      LOG_LEVEL: 'log',
      LOG_FORMAT: 'pretty',
      WORKER_ID: name,
      WHISPER_MODEL: fixture('for-tests-ggml-tiny.bin'),
      WHISPER_THREADS: '1',
      ...FAULT_QUEUE_ENV,
      ...overrides,
    });
    const proc = new RoleProcess(role, name, env, new ServiceProcess(env));
    this.processes.push(proc);
    await proc.waitReadiness(200, 60_000);
    return proc;
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.kill('SIGKILL')));
    this.admin?.disconnect();
    await this.redis.stop();
  }

  /** Every message of a session's result stream, oldest first. */
  async results(sessionId: string): Promise<Record<string, unknown>[]> {
    const entries = await this.client.xrange(
      `${this.prefix}:session:${sessionId}:results`,
      '-',
      '+',
    );
    return entries.map(
      ([, fields]) => JSON.parse(fields[fields.indexOf('m') + 1]) as Record<string, unknown>,
    );
  }

  /** How many utterances the gateway opened in a session. */
  async utteranceCount(sessionId: string): Promise<number> {
    return Number(
      (await this.client.hget(`${this.prefix}:session:${sessionId}:state`, 'nextIndex')) ?? 0,
    );
  }
}
