import { spawn } from 'node:child_process';
import { type GatewayApp, startGateway, sttDouble } from '../helpers/gateway-app';
import { type SttWorkerDouble } from '../helpers/stt-worker-double';
import { cleanupPrefix, waitFor } from '../helpers/test-env';
import { CLI, jsonLines, ROOT, writeClip } from './cli-helpers';

describe('CLI client across a gateway restart', () => {
  const apps: GatewayApp[] = [];
  const doubles: SttWorkerDouble[] = [];

  afterAll(async () => {
    for (const d of doubles) await d.close();
    for (const a of apps) await a.running.close();
    if (apps[0]) await cleanupPrefix(apps[0].config.redis.prefix);
  });

  it('resumes its session on the new instance and loses or repeats no final', async () => {
    const first = await startGateway();
    apps.push(first);
    doubles.push(sttDouble(first, { finalText: (job) => `utterance ${job.index}` }));
    const { path } = writeClip([
      { language: 'en', text: 'Good morning, and welcome to the demo.' },
      { language: 'en', text: 'Every sentence is turned into text.' },
      { language: 'en', text: 'And this is the last one.' },
    ]);

    const child = spawn(process.execPath, [CLI, path, '--url', first.url, '--json'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((done) => child.once('exit', done));

    await waitFor(() => jsonLines(stdout).some((f) => f.type === 'final'), {
      what: 'the first final',
      timeoutMs: 20_000,
    });
    // The instance goes away mid-stream; another one takes its place on the same address.
    await doubles[0].close();
    await first.running.close();
    const second = await startGateway({
      GATEWAY_PORT: String(first.config.gateway.port),
      QUEUE_PREFIX: first.config.redis.prefix,
    });
    apps.push(second);
    doubles.push(sttDouble(second, { finalText: (job) => `utterance ${job.index}` }));

    expect(await exited).toBe(0);
    expect(stderr).toBe('');
    const frames = jsonLines(stdout);
    expect(frames).toContainEqual(
      expect.objectContaining({
        type: 'notice',
        message: expect.stringMatching(/^connection lost; resuming/),
      }),
    );
    const sessions = frames.filter((f) => f.type === 'session');
    expect(sessions.length).toBeGreaterThanOrEqual(2);
    expect(new Set(sessions.map((s) => s.sessionId)).size).toBe(1);
    expect(sessions[sessions.length - 1].resumed).toBe(true);
    const finals = frames.filter((f) => f.type === 'final');
    expect(finals.length).toBeGreaterThanOrEqual(3);
    expect(finals.map((f) => [f.seq, f.text])).toEqual(
      finals.map((_, i) => [i + 1, `utterance ${i + 1}`]),
    );
    expect(frames[frames.length - 1]).toMatchObject({ type: 'closed', lastSeq: finals.length });
  });
});
