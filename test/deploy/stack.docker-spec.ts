/**
 * docker/compose.yaml for real: the project image and the stand-in base images in the private
 * engine scripts/test-deploy.sh starts; every client goes through the lb service's published port.
 * The cases run in order on one stack (each leaves it as the next one expects).
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import OpenAI from 'openai';
import { drain, sessionOf, speechWithPauses, stream } from '../faults/fault-client';
import { expectExactlyOnce, TimedClient } from '../faults/fault-checks';
import { PHRASE_A, PHRASE_B, PHRASE_C } from '../helpers/phrases';
import { PrometheusApi } from '../helpers/prometheus-server';
import { freePort } from '../helpers/ports';
import { ROOT } from '../helpers/processes';
import { fixture, randomWeightsModel, waitFor } from '../helpers/test-env';
import { type Frame } from '../helpers/ws-client';
import { ComposeStack, progress, sampleValue } from './docker-stack';
import { queryFailures, selectorsWithoutSeries, tableSelectors } from './observability-queries';

jest.setTimeout(600_000);

const PROJECT = 'rtdeploy';
const PREFIX = 'rt';
const TARGETS = ['es'];
const APP_SERVICES = ['gateway', 'stt_worker', 'translation_worker'];
const MODEL_FILE = 'random-weights-tiny.bin';

/** Sets KEY=value in an env file, replacing the line that sets it. */
function setEnv(text: string, values: Record<string, string>): string {
  let out = text;
  for (const [key, value] of Object.entries(values)) {
    const line = `${key}=${value}`;
    out = new RegExp(`^${key}=.*$`, 'm').test(out)
      ? out.replace(new RegExp(`^${key}=.*$`, 'm'), line)
      : `${out.trimEnd()}\n${line}\n`;
  }
  return out;
}

describe('the compose stack (docker/compose.yaml, real containers)', () => {
  let dir: string;
  let stack: ComposeStack;
  let publicPort: number;
  let statsPort: number;
  let apiKey: string;
  let firstSession: string;
  let firstTexts: string[];
  const base = (): string => `127.0.0.1:${publicPort}`;

  /**
   * A TimedClient through lb, with the API key in the upgrade's Authorization header, once its
   * `session` frame is in (or an error with the close code and reason).
   */
  async function connect(query: string): Promise<TimedClient> {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const opened = await TimedClient.open(`ws://${base()}/?${query}`, {
        headers: { Authorization: `Bearer ${apiKey}` },
      }).catch((error: Error) => error);
      if (opened instanceof Error) {
        // 502/503 from lb while a killed gateway is restarted or taken out: a client retries.
        if (!/HTTP 50[23]/.test(opened.message) || Date.now() > deadline) throw opened;
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      const client = opened;
      try {
        await sessionOf(client);
        return client;
      } catch (error) {
        const closed = await Promise.race([client.closed, new Promise((r) => setTimeout(r, 1000))]);
        // 1013: the gateways' finals run late (the case before loaded them); as a client should,
        // try again later.
        const overloaded = (closed as { code?: number } | undefined)?.code === 1013;
        if (!overloaded || Date.now() > deadline) {
          throw new Error(`${(error as Error).message}; closed: ${JSON.stringify(closed)}`);
        }
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
  }

  async function queueCounts(
    queue: string,
  ): Promise<{ wait: number; active: number; failed: number }> {
    const key = `${PREFIX}:${queue}`;
    // Waiting: BullMQ keeps jobs with a priority in a sorted set beside the plain list.
    return {
      wait:
        Number(await stack.redis('LLEN', `${key}:wait`)) +
        Number(await stack.redis('ZCARD', `${key}:prioritized`)),
      active: Number(await stack.redis('LLEN', `${key}:active`)),
      failed: Number(await stack.redis('ZCARD', `${key}:failed`)),
    };
  }

  /** How many gateways HAProxy has UP (its stats CSV). */
  async function gatewaysUp(): Promise<number> {
    const csv = await (await fetch(`http://127.0.0.1:${statsPort}/stats;csv`)).text();
    return csv
      .split('\n')
      .filter((line) => line.startsWith('gateways,gateway'))
      .filter((line) => line.split(',')[17] === 'UP').length;
  }

  /** A new API key, made with the admin tool inside a gateway container. */
  async function createKey(): Promise<string> {
    const [gateway] = await stack.containers('gateway');
    const created = await stack.exec(gateway.id, [
      'node',
      'dist/admin/main.js',
      'keys',
      'create',
      '--name',
      'deploy-test',
      '--scopes',
      'stream,transcripts',
      '--json',
    ]);
    return (JSON.parse(created.trim().split('\n').pop()!) as { key: string }).key;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rt-deploy-'));
    [publicPort, statsPort] = [await freePort(), await freePort()];
    const envFile = join(dir, 'deploy.env');
    execFileSync('sh', [join(ROOT, 'scripts/generate-env.sh'), envFile]);
    const variables = {
      WHISPER_MODEL: `/models/${MODEL_FILE}`,
      PUBLIC_PORT: String(publicPort),
      LB_STATS_PORT: String(statsPort),
      IMAGE: process.env.DEPLOY_IMAGE ?? 'realtime-stt:latest',
    };
    writeFileSync(envFile, setEnv(readFileSync(envFile, 'utf8'), variables));
    stack = new ComposeStack(PROJECT, envFile, variables);
    // A stack left by an interrupted run goes first.
    await stack.compose(['down', '-v', '--remove-orphans']);
  });

  afterAll(async () => {
    if (stack) {
      await stack.compose(['--profile', 'observability', 'down', '-v', '--remove-orphans']);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('a bad .env stops the stack at config_check with the error in its logs; an unknown ROLE exits 2', async () => {
    const badFile = join(dir, 'bad.env');
    writeFileSync(badFile, setEnv(readFileSync(stack.envFile, 'utf8'), { JWT_SECRET: '' }));
    const bad = new ComposeStack(`${PROJECT}bad`, badFile, stack.variables);
    try {
      await expect(bad.compose(['up', '-d'])).rejects.toThrow(/config_check/);
      const [check] = await bad.containers('config_check', true);
      expect({ status: check.status, exitCode: check.exitCode }).toEqual({
        status: 'exited',
        exitCode: 2,
      });
      expect(await bad.logs('config_check')).toMatch(/Configuration error: .*JWT_SECRET/);
      for (const service of APP_SERVICES) expect(await bad.containers(service, true)).toEqual([]);
    } finally {
      await bad.compose(['down', '-v']);
    }
    const unknownRole = await stack
      .compose(['run', '-T', '--rm', '--no-deps', '-e', 'ROLE=speaker', 'gateway'])
      .then(
        () => 'exited 0',
        (error: Error) => error.message,
      );
    expect(unknownRole).toMatch(/Configuration error: .*ROLE/);
  });

  it('puts a model into the models volume with the documented one-shot command', async () => {
    const model = randomWeightsModel();
    await stack.compose([
      'run',
      '-T',
      '--rm',
      '--no-deps',
      '-v',
      `${dirname(model)}:/src:ro`,
      '--entrypoint',
      'sh',
      'stt_worker',
      '-c',
      `cp /src/${basename(model)} /models/${MODEL_FILE}`,
    ]);
    const listed = await stack.compose([
      'run',
      '-T',
      '--rm',
      '--no-deps',
      '--entrypoint',
      'ls',
      'stt_worker',
      '-l',
      '/models',
    ]);
    expect(listed).toContain(MODEL_FILE);
  });

  it('up --build: every service becomes healthy and /health/ready answers 200 through lb', async () => {
    const started = Date.now();
    await stack.compose(['up', '--build', '-d'], 600_000);
    await stack.waitHealthy({
      redis: 1,
      postgres: 1,
      gateway: 1,
      stt_worker: 1,
      translation_worker: 1,
      lb: 1,
    });
    const response = await waitFor(
      async () => {
        const r = await fetch(`http://${base()}/health/ready`);
        return r.status === 200 ? r : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: '/health/ready 200 through lb' },
    );
    expect(response.status).toBe(200);
    progress(`stack healthy ${Math.round((Date.now() - started) / 1000)} s after up --build`);
  });

  it('runs every role as uid 10001, read-only, with no capabilities, writing nothing to its image', async () => {
    for (const service of APP_SERVICES) {
      const [container] = await stack.containers(service);
      expect(container.user).toBe('10001:10001');
      expect(container.readOnly).toBe(true);
      expect(container.capDrop).toEqual(['ALL']);
      expect((await stack.exec(container.id, ['id', '-u'])).trim()).toBe('10001');
      // PID 1 is tini; node is its child. Neither holds any capability.
      const status = await stack.exec(container.id, ['sh', '-c', 'grep CapEff /proc/*/status']);
      for (const line of status.trim().split('\n')) expect(line).toMatch(/CapEff:\s+0+$/);
      expect((await stack.docker(['diff', container.id])).trim()).toBe('');
    }
  });

  it('a client through lb gets finals of jfk.wav with Spanish translations; the OpenAI SDK transcribes it', async () => {
    apiKey = await createKey();

    const client = await connect('source=en&targets=es');
    const session = await sessionOf(client);
    firstSession = session.session_id as string;
    await stream(client, speechWithPauses(['jfk']), 4);
    await drain(client);
    const { finals, errors } = expectExactlyOnce(client.frames, TARGETS);
    expect(errors).toEqual([]);
    expect(finals.length).toBeGreaterThanOrEqual(1);
    firstTexts = finals.map((f) => String(f.text).trim()).filter(Boolean);

    const openai = new OpenAI({ apiKey, baseURL: `http://${base()}/v1` });
    const transcription = await openai.audio.transcriptions.create({
      file: createReadStream(fixture('jfk.wav')),
      model: 'whisper-1',
      response_format: 'verbose_json',
    });
    expect(transcription.duration).toBeCloseTo(11, 0);
    expect(typeof transcription.text).toBe('string');
    // FLAC goes through the image's ffmpeg (WAV needs none).
    const flac = join(dir, 'jfk.flac');
    execFileSync('sox', [fixture('jfk.wav'), flac]);
    const fromFlac = await openai.audio.transcriptions.create({
      file: createReadStream(flac),
      model: 'whisper-1',
      response_format: 'verbose_json',
    });
    expect(fromFlac.duration).toBeCloseTo(transcription.duration, 1);
  });

  it('--scale stt_worker=3 --scale gateway=2: 8 clients spread over both gateways, one final per utterance, in order', async () => {
    await stack.compose(['up', '-d', '--scale', 'stt_worker=3', '--scale', 'gateway=2']);
    await stack.waitHealthy({ gateway: 2, stt_worker: 3 });
    await waitFor(async () => (await gatewaysUp()) === 2, {
      timeoutMs: 60_000,
      intervalMs: 500,
      what: 'HAProxy to see both gateways UP',
    });
    const speech = speechWithPauses([PHRASE_A, PHRASE_B]);
    const clients = await Promise.all(
      Array.from({ length: 8 }, () => connect('source=en&targets=es')),
    );
    await Promise.all(clients.map((client) => sessionOf(client)));
    const gateways = await stack.containers('gateway');
    const perGateway = await Promise.all(
      gateways.map(async (g) =>
        sampleValue(await stack.metrics(g.id, 8080), 'rt_gateway_sessions_active'),
      ),
    );
    expect(perGateway.reduce((a, b) => a + b, 0)).toBe(8);
    for (const count of perGateway) expect(count).toBeGreaterThanOrEqual(2);
    await Promise.all(clients.map((client) => stream(client, speech, 2)));
    await Promise.all(clients.map((client) => drain(client, 120_000)));
    for (const client of clients) {
      const { finals, errors } = expectExactlyOnce(client.frames, TARGETS);
      expect(errors).toEqual([]);
      expect(finals).toHaveLength(2);
    }
    progress(`8 clients over gateways ${perGateway.join('/')}`);
  });

  /** Streams `parts` with a resume through lb whenever the socket drops; all frames, in order. */
  async function resilientSession(
    parts: Int16Array[],
    between: (index: number, session: Frame) => Promise<void>,
  ): Promise<{ frames: Frame[]; resumes: number }> {
    let client = await connect('source=en&targets=es');
    const session = await sessionOf(client);
    const frames: Frame[] = [];
    let resumes = 0;
    const lastSeq = (): number =>
      Math.max(0, ...frames.filter((f) => f.type === 'final').map((f) => Number(f.seq)));
    const collect = (from: TimedClient): void => {
      for (const frame of from.frames) {
        const delivered =
          frame.type === 'final' ||
          frame.type === 'translation' ||
          (frame.type === 'error' && frame.utterance_id !== undefined);
        if (
          delivered &&
          !frames.some(
            (f) => f.seq === frame.seq && f.type === frame.type && f.language === frame.language,
          )
        ) {
          frames.push(frame);
        }
      }
    };
    const reconnect = async (): Promise<void> => {
      collect(client);
      client = await connect(
        `resume=${encodeURIComponent(session.resume_token as string)}&last_seq=${lastSeq()}`,
      );
      expect((await sessionOf(client)).resumed).toBe(true);
      resumes++;
    };
    for (const [index, part] of parts.entries()) {
      let sent = 0;
      while (sent < part.length) {
        sent = await stream(client, part, 2, sent);
        if (sent < part.length) await reconnect();
      }
      await between(index, session);
      if (client.ws.readyState !== client.ws.OPEN) await reconnect();
    }
    for (;;) {
      try {
        await drain(client, 120_000);
        break;
      } catch (error) {
        if (client.ws.readyState === client.ws.OPEN) throw error;
        await reconnect();
      }
    }
    collect(client);
    return { frames, resumes };
  }

  it('docker kill of one stt_worker, then of one gateway, while clients speak: every utterance still ends as one final', async () => {
    const parts = [
      speechWithPauses([PHRASE_A]),
      speechWithPauses([PHRASE_B]),
      speechWithPauses([PHRASE_C]),
    ];
    let sttKilled = '';
    let gatewayKilled = '';
    const finalsQueued = async (session: Frame, count: number): Promise<void> => {
      await waitFor(
        async () =>
          Number(await stack.redis('LLEN', `${PREFIX}:session:${session.session_id}:finals`)) >=
          count,
        { timeoutMs: 60_000, intervalMs: 200, what: `${count} finals queued` },
      );
    };
    const sessions = await Promise.all(
      [0, 1].map(() =>
        resilientSession(parts, async (index, session) => {
          // One session of the two kills each (the claim is taken before any await).
          if (index === 0 && !sttKilled) {
            sttKilled = 'claimed';
            // The first part is queued; kill a worker while it may be transcribing.
            await finalsQueued(session, 1);
            const [victim] = await stack.containers('stt_worker');
            sttKilled = victim.name;
            await stack.docker(['kill', victim.id]);
          }
          if (index === 1 && !gatewayKilled) {
            gatewayKilled = 'claimed';
            await finalsQueued(session, 2);
            const [victim] = await stack.containers('gateway');
            gatewayKilled = victim.name;
            await stack.docker(['kill', victim.id]);
          }
        }),
      ),
    );
    for (const { frames } of sessions) {
      const { finals, errors } = expectExactlyOnce(frames, TARGETS);
      expect(errors).toEqual([]);
      expect(finals).toHaveLength(3);
    }
    expect(sessions.reduce((n, s) => n + s.resumes, 0)).toBeGreaterThanOrEqual(1);
    progress(
      `killed ${sttKilled} and ${gatewayKilled}; resumes ${sessions.map((s) => s.resumes).join('/')}`,
    );
    // The killed containers come back (restart: unless-stopped) and the stack is whole again.
    await stack.compose(['up', '-d', '--scale', 'stt_worker=3', '--scale', 'gateway=2']);
    await stack.waitHealthy({ gateway: 2, stt_worker: 3 });
  });

  it('docker-compose stop drains: SIGTERM reaches Node through tini, every container exits 0, no job lost or failed', async () => {
    const client = await connect('source=en&targets=es');
    const session = await sessionOf(client);
    await stream(client, speechWithPauses([PHRASE_A, PHRASE_B]), 4);
    const started = Date.now();
    await stack.compose(['stop'], 180_000);
    const stopSeconds = (Date.now() - started) / 1000;
    const closed = await client.closed;
    expect([1001, 1006]).toContain(closed.code);
    for (const service of APP_SERVICES) {
      for (const container of await stack.containers(service, true)) {
        expect({
          name: container.name,
          status: container.status,
          exitCode: container.exitCode,
        }).toEqual({
          name: container.name,
          status: 'exited',
          exitCode: 0,
        });
      }
    }
    expect(stopSeconds).toBeLessThan(45 * 2);
    await stack.compose(['up', '-d', '--scale', 'stt_worker=3', '--scale', 'gateway=2']);
    await stack.waitHealthy({ gateway: 2, stt_worker: 3, translation_worker: 1, lb: 1 });
    const resumed = await connect(
      `resume=${encodeURIComponent(session.resume_token as string)}&last_seq=${Math.max(0, ...client.of('final').map((f) => Number(f.seq)))}`,
    );
    expect((await sessionOf(resumed)).resumed).toBe(true);
    await drain(resumed, 120_000);
    const before = client.frames.filter((f) => f.type === 'final' || f.type === 'translation');
    const { finals, errors } = expectExactlyOnce([...before, ...resumed.frames], TARGETS);
    expect(errors).toEqual([]);
    expect(finals).toHaveLength(2);
    for (const queue of ['stt', 'translation']) expect((await queueCounts(queue)).failed).toBe(0);
    progress(`compose stop took ${stopSeconds.toFixed(1)} s`);
  });

  it('Redis restarted with its volume keeps queued work (AOF)', async () => {
    await stack.compose(['up', '-d', '--scale', 'stt_worker=0', '--scale', 'gateway=2']);
    const client = await connect('source=en&targets=es');
    const session = await sessionOf(client);
    await stream(client, speechWithPauses([PHRASE_A, PHRASE_C]), 4);
    await waitFor(async () => (await queueCounts('stt')).wait >= 2, {
      timeoutMs: 60_000,
      intervalMs: 200,
      what: 'two stt jobs waiting',
    }).catch(async (error: Error) => {
      const states = await Promise.all(
        ['wait', 'active', 'paused'].map(
          async (state) => `${state}=${await stack.redis('LLEN', `${PREFIX}:stt:${state}`)}`,
        ),
      );
      const sets = await Promise.all(
        ['prioritized', 'delayed', 'completed', 'failed'].map(
          async (state) => `${state}=${await stack.redis('ZCARD', `${PREFIX}:stt:${state}`)}`,
        ),
      );
      throw new Error(
        `${error.message}: ${[...states, ...sets].join(' ')}; frames ${JSON.stringify(client.frames.slice(-5))}`,
      );
    });
    const waiting = (await queueCounts('stt')).wait;
    // Past AOF's one-second fsync, then a restart of the container with its volume.
    await new Promise((r) => setTimeout(r, 1500));
    await stack.compose(['restart', 'redis']);
    await stack.waitHealthy({ redis: 1 });
    expect((await queueCounts('stt')).wait).toBe(waiting);
    await stack.compose(['up', '-d', '--scale', 'stt_worker=1', '--scale', 'gateway=2']);
    await waitFor(async () => (await queueCounts('stt')).wait === 0, {
      timeoutMs: 120_000,
      intervalMs: 500,
      what: 'the queued jobs to be taken after the restart',
    });
    let resumed = client;
    if (client.ws.readyState !== client.ws.OPEN) {
      resumed = await connect(
        `resume=${encodeURIComponent(session.resume_token as string)}&last_seq=${Math.max(0, ...client.of('final').map((f) => Number(f.seq)))}`,
      );
      await sessionOf(resumed);
    }
    await drain(resumed, 120_000);
    const frames = resumed === client ? client.frames : [...client.frames, ...resumed.frames];
    expect(
      expectExactlyOnce(
        frames.filter((f) => f.type === 'final' || f.type === 'translation'),
        TARGETS,
      ).finals,
    ).toHaveLength(2);
  });

  it('PostgreSQL keeps keys and transcripts across down / up', async () => {
    await stack.compose(['down'], 180_000);
    await stack.compose(['up', '-d']);
    await stack.waitHealthy({ gateway: 1, lb: 1 });
    // The key created before `down` still authenticates, and the first session's finals are there.
    const transcript = await waitFor(
      async () => {
        const r = await fetch(
          `http://${base()}/v1/sessions/${firstSession}/transcript?format=txt`,
          {
            headers: { Authorization: `Bearer ${apiKey}` },
          },
        );
        return r.status === 200 ? r.text() : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: 'the first session transcript after down/up' },
    );
    expect(firstTexts.length).toBeGreaterThan(0);
    for (const text of firstTexts) expect(transcript).toContain(text);
  });

  it('two gateways starting at once on an empty database run the migrations exactly once', async () => {
    await stack.compose(['stop']);
    await stack.compose(['rm', '-f', 'postgres']);
    await stack.docker(['volume', 'rm', `${PROJECT}_postgres-data`]);
    const since = new Date().toISOString();
    await stack.compose(['up', '-d', '--scale', 'gateway=2']);
    await stack.waitHealthy({ gateway: 2, stt_worker: 1, translation_worker: 1 });
    let applied = 0;
    for (const service of APP_SERVICES) {
      for (const container of await stack.containers(service)) {
        const logs = await stack.containerLogs(container.id, since);
        applied += logs.split('Applied migrations').length - 1;
      }
    }
    expect(applied).toBe(1);
    const [postgres] = await stack.containers('postgres');
    const rows = await stack.exec(postgres.id, [
      'psql',
      '-U',
      'realtime',
      '-d',
      'realtime',
      '-tAc',
      'SELECT name FROM kysely_migration',
    ]);
    const names = rows.trim().split('\n');
    expect(new Set(names).size).toBe(names.length);
  });

  it('--profile observability: Prometheus scrapes every replica; every alert and dashboard query names series that exist', async () => {
    // The database was emptied by the case before: a new key.
    apiKey = await createKey();
    const prometheusPort = await freePort();
    stack.variables.PROMETHEUS_PORT = String(prometheusPort);
    await stack.compose(['--profile', 'observability', 'up', '-d', '--scale', 'gateway=2']);
    const prometheus = new PrometheusApi(`http://127.0.0.1:${prometheusPort}`);
    // Two gateways, one stt and one translation worker: four targets up.
    await waitFor(
      async () => {
        const up = (await prometheus.query('sum(up)')).result as { value: [number, string] }[];
        return up.length === 1 && Number(up[0].value[1]) === 4;
      },
      { timeoutMs: 120_000, intervalMs: 1000, what: 'Prometheus to scrape four targets' },
    );
    const client = await connect('source=en&targets=es');
    await sessionOf(client);
    await stream(client, speechWithPauses(['jfk']), 4);
    await drain(client, 120_000);
    // A malformed frame: an error message to a client (rt_errors_total).
    const bad = await connect('');
    await sessionOf(bad);
    bad.ws.send('{ not json');
    await bad.next((f) => f.type === 'error', { what: 'error frame' });
    bad.close();
    const job = (role: string): string => (role === 'gateway' ? role : `${role}_worker`);
    const missing = await waitFor(
      async () => {
        const left = await selectorsWithoutSeries(prometheus, tableSelectors(job));
        return left.length === 0 ? left : undefined;
      },
      {
        timeoutMs: 90_000,
        intervalMs: 2000,
        what: 'a series of every listed metric from its role',
      },
    ).catch(async () => selectorsWithoutSeries(prometheus, tableSelectors(job)));
    expect(missing).toEqual([]);
    expect(await queryFailures(prometheus)).toEqual([]);
    const rules = await (await fetch(`http://127.0.0.1:${prometheusPort}/api/v1/rules`)).json();
    expect(JSON.stringify(rules)).toContain('RtFinalLatencyHigh');
  });
});
