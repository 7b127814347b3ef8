import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { testTempRoot } from './test-temp';

/** A throw-away redis-server on a spare port, which tests may stop and start again. */
export class TestRedisServer {
  private process?: ChildProcess;
  private readonly dir = mkdtempSync(join(testTempRoot(), 'rt-redis-'));

  constructor(
    readonly port: number,
    private readonly password?: string,
    /** Append-only file with fsync on every write: a restart (even after SIGKILL) keeps the data. */
    private readonly durable = false,
  ) {}

  get url(): string {
    return this.password
      ? `redis://:${encodeURIComponent(this.password)}@127.0.0.1:${this.port}`
      : `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      this.durable ? 'yes' : 'no',
    ];
    if (this.durable) args.push('--appendfsync', 'always');
    args.push('--dir', this.dir, '--maxmemory-policy', 'noeviction');
    if (this.password) args.push('--requirepass', this.password);
    this.process = spawn('redis-server', args, { stdio: 'ignore' });
    const client = new Redis(this.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    // Refused connections are expected until the server listens.
    client.on('error', () => undefined);
    try {
      for (let i = 0; i < 100; i++) {
        try {
          await client.connect();
          await client.ping();
          return;
        } catch {
          client.disconnect();
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      throw new Error(`redis-server did not start on port ${this.port}`);
    } finally {
      client.disconnect();
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
    this.process = undefined;
  }
}
