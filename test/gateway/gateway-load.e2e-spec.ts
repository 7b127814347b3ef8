import { Queue } from 'bullmq';
import { QueueName } from 'src/contracts/queue-names';
import { QueueService } from 'src/common/queues/queue.service';
import { LoadMonitorService } from 'src/gateway/pipeline/load-monitor.service';
import { concatPcm, espeak, silence } from '../helpers/audio';
import { type GatewayApp, startGateway, sttDouble } from '../helpers/gateway-app';
import { Redis } from 'ioredis';
import { PHRASE_A, phrases } from '../helpers/phrases';
import { freePort } from '../helpers/ports';
import { TestRedisServer } from '../helpers/redis-server';
import { cleanupPrefix, REDIS_URL, waitFor } from '../helpers/test-env';
import { TestClient } from '../helpers/ws-client';

describe('gateway under load and outages', () => {
  const apps: GatewayApp[] = [];
  afterEach(async () => {
    for (const app of apps.splice(0)) {
      await app.running.close();
      await cleanupPrefix(app.config.redis.prefix, app.config.redis.url);
    }
  });

  it('drops interims with a warning, keeps finals and refuses new sessions with 1013 while the stt queue is too deep', async () => {
    const app = await startGateway({ MAX_QUEUE_DEPTH: '3' });
    apps.push(app);
    const client = await TestClient.connect(app.url);
    const sessionId = (await client.next((f) => f.type === 'session')).session_id as string;

    // Nobody consumes the queue here: fill it past the limit.
    const queues = app.running.app.get(QueueService);
    for (let i = 0; i < 5; i++) {
      await queues.queue(QueueName.Stt).add('interim', { filler: i } as never);
    }
    const load = app.running.app.get(LoadMonitorService);
    await waitFor(() => load.overloaded, { what: 'overload seen' });

    const refused = new TestClient(app.url);
    const closed = await refused.closed;
    expect(closed.code).toBe(1013);
    expect(closed.reason).toMatch(/overloaded/);

    client.sendPcm(phrases(PHRASE_A));
    const warning = await client.next((f) => f.type === 'warning');
    expect(warning.code).toBe('overloaded');
    const jobs = await waitFor(
      async () => {
        const all = await queues.queue(QueueName.Stt).getJobs(['prioritized', 'wait']);
        const mine = all.filter((j) => j.data.sessionId === sessionId);
        return mine.length > 0 ? mine : undefined;
      },
      { what: 'the final enqueued' },
    );
    expect(jobs.map((j) => j.data.kind)).toEqual(['final']);
    expect(jobs[0].opts.priority).toBe(1);
    expect(jobs[0].id).toBe(`${sessionId}:1:${jobs[0].data.revision}`);

    const metrics = await (
      await fetch(`http://127.0.0.1:${app.config.http.healthPort}/metrics`)
    ).text();
    expect(metrics).toMatch(/rt_gateway_frames_rejected_total\{reason="overloaded"\} [1-9]/);
    expect(metrics).toMatch(/rt_gateway_interims_dropped_total [1-9]/);
    expect(metrics).toMatch(/rt_gateway_audio_seconds_total [1-9]/);
    client.ws.terminate();
  });

  it('tells the client with a retryable error when Redis is down as a final must be enqueued', async () => {
    const redis = new TestRedisServer(await freePort());
    await redis.start();
    try {
      const app = await startGateway({ REDIS_URL: redis.url });
      apps.push(app);
      const client = await TestClient.connect(`${app.url}?interim_results=false`);
      await client.next((f) => f.type === 'session');
      const ready = await fetch(`http://127.0.0.1:${app.config.http.healthPort}/health/ready`);
      expect(((await ready.json()) as { info: Record<string, unknown> }).info).toHaveProperty(
        'gateway',
      );
      client.sendPcm(concatPcm(silence(0.3), espeak(PHRASE_A)));
      client.sendJson({ type: 'keepalive' });
      await new Promise((resolve) => setTimeout(resolve, 500));
      await redis.stop();
      client.sendJson({ type: 'finalize' });
      const error = await client.next((f) => f.type === 'error');
      expect(error).toMatchObject({ code: 'enqueue_failed', retryable: true });
      expect(client.ws.readyState).toBe(client.ws.OPEN);
      client.ws.terminate();
    } finally {
      await redis.start();
    }
  });

  it('on shutdown queues the speech in progress and asks clients to resume elsewhere (1001)', async () => {
    const app = await startGateway();
    const client = await TestClient.connect(`${app.url}?interim_results=false`);
    const sessionId = (await client.next((f) => f.type === 'session')).session_id as string;
    client.sendPcm(concatPcm(silence(0.3), espeak(PHRASE_A)));
    client.sendJson({ type: 'keepalive' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const closing = app.running.close();
    const closed = await client.closed;
    expect(closed.code).toBe(1001);
    await closing;
    const url = new URL(REDIS_URL);
    const queue = new Queue(QueueName.Stt, {
      connection: { host: url.hostname, port: Number(url.port || 6379) },
      prefix: app.config.redis.prefix,
    });
    try {
      const jobs = await queue.getJobs(['prioritized', 'wait']);
      // A speculation started in the silence before shutdown stays queued, cancelled: the worker
      // drops it unread (test/gateway/speculative-finals.e2e-spec.ts). The speech itself is one final.
      const owed = jobs.filter((j) => j.data.sessionId === sessionId && !j.data.speculative);
      expect(owed.map((j) => j.data.kind)).toEqual(['final']);
    } finally {
      await queue.close();
      await cleanupPrefix(app.config.redis.prefix);
    }
  });

  it('refuses new sessions with 1013 while Redis is unreachable', async () => {
    const redis = new TestRedisServer(await freePort());
    await redis.start();
    try {
      const app = await startGateway({ REDIS_URL: redis.url });
      apps.push(app);
      await redis.stop();
      const client = new TestClient(app.url);
      const closed = await client.closed;
      expect(closed.code).toBe(1013);
      expect(client.of('error')[0].code).toBe('unavailable');
    } finally {
      await redis.start();
    }
  });

  it('expires an idle session after SESSION_TTL_SECONDS: keys removed, resume refused with 4003', async () => {
    const app = await startGateway({ SESSION_TTL_SECONDS: '10' });
    apps.push(app);
    const stt = sttDouble(app);
    try {
      const client = await TestClient.connect(`${app.url}?interim_results=false`);
      const { session_id: sessionId, resume_token: token } = await client.next(
        (f) => f.type === 'session',
      );
      client.sendPcm(phrases(PHRASE_A));
      await client.waitCount('final', 1);
      client.ws.terminate();
      await client.closed;
      const redis = new Redis(REDIS_URL);
      try {
        const pattern = `${app.config.redis.prefix}:session:${sessionId}:*`;
        expect((await redis.keys(pattern)).length).toBeGreaterThan(0);
        await waitFor(async () => (await redis.keys(pattern)).length === 0, {
          timeoutMs: 15_000,
          intervalMs: 500,
          what: 'session keys to expire',
        });
      } finally {
        redis.disconnect();
      }
      const late = new TestClient(`${app.url}?resume=${encodeURIComponent(token)}&last_seq=1`);
      expect((await late.closed).code).toBe(4003);
    } finally {
      await stt.close();
    }
  });
});
