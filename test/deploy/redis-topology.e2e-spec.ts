import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { type RunningApp, startApp } from 'src/bootstrap';
import { QueueService } from 'src/common/queues/queue.service';
import { QueueName } from 'src/contracts/queue-names';
import { type TranslationJob } from 'src/contracts/job-payloads';
import { WorkerFactory } from 'src/common/queues/worker.factory';
import { ResultStreamService } from 'src/utterance/result-stream.service';
import { freePort } from '../helpers/ports';
import { testConfig, uniquePrefix, waitFor } from '../helpers/test-env';

const run = promisify(execFile);

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port whose cluster bus port (+10000) is free too. */
async function clusterPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port + 10000 <= 65535 && (await isFree(port + 10000))) return port;
  }
}

async function answers(port: number): Promise<boolean> {
  const client = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null });
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } finally {
    client.disconnect();
  }
}

/**
 * Boots the gateway role on the given Redis settings and drives the Redis paths every role uses:
 * readiness, a BullMQ job from producer to worker, and the atomic result-stream append.
 */
async function exerciseService(env: Record<string, string>): Promise<void> {
  const config = await testConfig({ ROLE: 'gateway', ...env });
  const running: RunningApp = await startApp(config);
  try {
    const port = config.http.healthPort;
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${port}/health/ready`)).status === 200,
      { timeoutMs: 15_000, what: 'ready' },
    );

    const received: TranslationJob[] = [];
    running.app
      .get(WorkerFactory)
      .start(QueueName.Translation, async (job: Job<TranslationJob>) => {
        received.push(job.data);
        return Promise.resolve();
      });
    const payload: TranslationJob = {
      sessionId: 's1',
      utteranceId: 's1:1',
      index: 1,
      kind: 'final',
      revision: 1,
      text: 'hello',
      source: 'en',
      targets: ['es'],
      enqueuedAt: Date.now(),
    };
    await running.app.get(QueueService).add(QueueName.Translation, 'translate', payload);
    await waitFor(() => received.length > 0, { timeoutMs: 15_000, what: 'job processed' });
    expect(received).toEqual([payload]);

    const results = running.app.get(ResultStreamService);
    const warning = { type: 'warning' as const, code: 'test', message: 'hello' };
    expect(await results.append('s1', warning, 'once')).toEqual(expect.any(String));
    expect(await results.append('s1', warning, 'once')).toBeNull();
    expect((await results.readAfter('s1', '0')).map((r) => r.message)).toEqual([warning]);

    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/rt_queue_depth\{queue="translation"\} 0/);
  } finally {
    await running.close();
  }
}

describe('Redis topologies', () => {
  const processes: ChildProcess[] = [];
  const dirs: string[] = [];

  function redisServer(args: string[], dir: string): void {
    processes.push(spawn('redis-server', args, { cwd: dir, stdio: 'ignore' }));
  }

  afterAll(async () => {
    for (const child of processes) {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        });
      }
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('Redis Cluster (REDIS_CLUSTER_NODES, hash-tagged QUEUE_PREFIX): every Redis path works', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rt-cluster-'));
    dirs.push(dir);
    const ports = [await clusterPort(), await clusterPort(), await clusterPort()];
    for (const port of ports) {
      redisServer(
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          `nodes-${port}.conf`,
          '--save',
          '',
          '--appendonly',
          'no',
          '--maxmemory-policy',
          'noeviction',
        ],
        dir,
      );
    }
    for (const port of ports) await waitFor(() => answers(port), { what: `node ${port}` });
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    await waitFor(
      async () => {
        const { stdout } = await run('redis-cli', ['-p', String(ports[0]), 'cluster', 'info']);
        return stdout.includes('cluster_state:ok');
      },
      { what: 'cluster_state:ok' },
    );

    // REDIS_URL's host is not used with cluster nodes: nothing listens on port 1.
    await exerciseService({
      REDIS_URL: 'redis://127.0.0.1:1',
      REDIS_CLUSTER_NODES: ports.map((port) => `127.0.0.1:${port}`).join(','),
      QUEUE_PREFIX: `{${uniquePrefix()}}`,
    });
  });

  it('Redis Sentinel (REDIS_SENTINELS, REDIS_SENTINEL_NAME): every Redis path works', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rt-sentinel-'));
    dirs.push(dir);
    const masterPort = await freePort();
    const sentinelPort = await freePort();
    const name = `rt-${uniquePrefix()}`;
    redisServer(
      ['--port', String(masterPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      dir,
    );
    await waitFor(() => answers(masterPort), { what: 'master' });
    const sentinelConf = join(dir, 'sentinel.conf');
    writeFileSync(
      sentinelConf,
      [
        `port ${sentinelPort}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${name} 127.0.0.1 ${masterPort} 1`,
        '',
      ].join('\n'),
    );
    redisServer([sentinelConf, '--sentinel'], dir);
    await waitFor(() => answers(sentinelPort), { what: 'sentinel' });

    await exerciseService({
      REDIS_URL: 'redis://127.0.0.1:1',
      REDIS_SENTINELS: `127.0.0.1:${sentinelPort}`,
      REDIS_SENTINEL_NAME: name,
      QUEUE_PREFIX: uniquePrefix(),
    });
  });
});
