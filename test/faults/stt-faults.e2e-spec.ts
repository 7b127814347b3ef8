/**
 * Fault injection on stt workers, with real processes (node dist/main.js per role), real
 * whisper.cpp (random-weights tiny model: real cost, meaningless words, so finals carry text and
 * go on to translation) and a Redis of the suite's own.
 */
import { PHRASE_A, PHRASE_B } from '../helpers/phrases';
import { randomWeightsModel, waitFor } from '../helpers/test-env';
import { FaultCluster, type RoleProcess } from './fault-cluster';
import { drain, sessionOf, speechWithPauses, stream } from './fault-client';
import {
  activeFinal,
  expectExactlyOnce,
  expectStreamWrittenOnce,
  report,
  TimedClient,
  utteranceOfJob,
} from './fault-checks';

jest.setTimeout(120_000);

const TARGETS = ['es'];

describe('stt worker faults', () => {
  let cluster: FaultCluster;
  let gateway: RoleProcess;
  let a: RoleProcess;
  let b: RoleProcess;
  let audio: Int16Array;

  beforeAll(() => {
    audio = speechWithPauses(['jfk', PHRASE_A, PHRASE_B]);
  });

  /** Env of worker `a` for the next test (set by the test before beforeEach runs). */
  let extraA: Record<string, string> = {};

  beforeEach(async () => {
    const name = expect.getState().currentTestName ?? '';
    extraA = name.includes('drain deadline') ? { WORKER_DRAIN_MS: '0' } : {};
    cluster = await FaultCluster.start();
    const stt = { WHISPER_MODEL: randomWeightsModel() };
    [gateway, a, b] = await Promise.all([
      cluster.spawn('gateway'),
      cluster.spawn('stt', { ...stt, ...extraA }),
      cluster.spawn('stt', stt),
      cluster.spawn('translation'),
    ]);
  });

  afterEach(async () => {
    await cluster.stop();
  });

  /** Streams the audio with only worker `a` consuming; resolves with the final job `a` holds. */
  async function startWithOnlyA(): Promise<{
    client: TimedClient;
    sessionId: string;
    streaming: Promise<number>;
    jobId: string;
  }> {
    b.signal('SIGSTOP');
    const client = await TimedClient.open(`${gateway.gatewayUrl}/?source=en&targets=es`);
    const sessionId = (await sessionOf(client)).session_id as string;
    const streaming = stream(client, audio, 4);
    const jobId = await waitFor(() => activeFinal(cluster), {
      intervalMs: 5,
      timeoutMs: 30_000,
      what: 'a final job in the hands of worker a',
    });
    return { client, sessionId, streaming, jobId };
  }

  async function finish(client: TimedClient, sessionId: string, streaming: Promise<number>) {
    await streaming;
    await drain(client);
    const outcomes = expectExactlyOnce(client.frames, TARGETS);
    const written = await expectStreamWrittenOnce(cluster, sessionId);
    expect(written).toBe(await cluster.utteranceCount(sessionId));
    expect(outcomes.errors).toEqual([]);
    return outcomes;
  }

  it('SIGKILL mid-transcription: another worker delivers the final, once', async () => {
    const { client, sessionId, streaming, jobId } = await startWithOnlyA();
    const killedAt = Date.now();
    await a.kill('SIGKILL');
    b.signal('SIGCONT');

    const utterance = utteranceOfJob(jobId);
    const final = await client.next((f) => f.type === 'final' && f.utterance_id === utterance, {
      timeoutMs: 30_000,
      what: `the final of ${utterance}`,
    });
    expect(final.worker).toBe(b.name);
    const takeoverMs = client.timeOf(final) - killedAt;
    const outcomes = await finish(client, sessionId, streaming);
    expect(outcomes.finals.length).toBeGreaterThanOrEqual(3);
    report('stt SIGKILL', { takeover_ms: takeoverMs, finals: outcomes.finals.length });
  });

  it('SIGSTOP past the lock, then SIGCONT: no duplicate final or translation', async () => {
    const { client, sessionId, streaming, jobId } = await startWithOnlyA();
    a.signal('SIGSTOP');
    const stoppedAt = Date.now();
    b.signal('SIGCONT');

    const utterance = utteranceOfJob(jobId);
    const final = await client.next((f) => f.type === 'final' && f.utterance_id === utterance, {
      timeoutMs: 30_000,
      what: `the final of ${utterance}`,
    });
    expect(final.worker).toBe(b.name);
    const takeoverMs = client.timeOf(final) - stoppedAt;
    // The stopped worker wakes up holding a job it lost: it must not deliver it again.
    a.signal('SIGCONT');
    await waitFor(() => /duplicate|lock|Missing/i.test(a.proc.output), {
      timeoutMs: 20_000,
      what: `worker a noticing its lost job\n${a.proc.output.slice(-2000)}`,
    }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 2000));
    const outcomes = await finish(client, sessionId, streaming);
    expect(a.alive).toBe(true);
    report('stt SIGSTOP', { takeover_ms: takeoverMs, finals: outcomes.finals.length });
  });

  it('SIGTERM while busy: the worker finishes its job, exits 0, nothing stalls', async () => {
    const { client, sessionId, streaming, jobId } = await startWithOnlyA();
    const termAt = Date.now();
    a.signal('SIGTERM');
    // The signal is handled asynchronously: wait for the first answer that is not 200.
    const readinessDuringDrain = await waitFor(
      async () => {
        const status = await a.readiness();
        return status === 200 ? undefined : status;
      },
      { intervalMs: 10, what: 'readiness to leave 200' },
    );
    const exit = await a.proc.exited;
    const exitMs = Date.now() - termAt;
    b.signal('SIGCONT');
    expect(exit.code).toBe(0);
    // 503 while draining, or the port already closed when the job was that quick.
    expect([503, 0]).toContain(readinessDuringDrain);

    const utterance = utteranceOfJob(jobId);
    const final = await client.next((f) => f.type === 'final' && f.utterance_id === utterance, {
      timeoutMs: 30_000,
      what: `the final of ${utterance}`,
    });
    // Finished by the worker that was stopping, not taken over after a lock expiry.
    expect(final.worker).toBe(a.name);
    const job = await cluster.client.hgetall(`${cluster.prefix}:stt:${jobId}`);
    expect(job.finishedOn).toBeDefined();
    expect(Number(job.stc ?? 0)).toBe(0);
    const outcomes = await finish(client, sessionId, streaming);
    report('stt SIGTERM', {
      exit_ms: exitMs,
      readiness_during_drain: readinessDuringDrain,
      finals: outcomes.finals.length,
    });
  });

  it('SIGTERM past the drain deadline: the worker hands its job back and exits 0', async () => {
    const { client, sessionId, streaming, jobId } = await startWithOnlyA();
    const termAt = Date.now();
    a.signal('SIGTERM');
    const exit = await a.proc.exited;
    const exitMs = Date.now() - termAt;
    b.signal('SIGCONT');
    expect(exit.code).toBe(0);
    expect(a.proc.output).toContain('back to the queue');

    const utterance = utteranceOfJob(jobId);
    const final = await client.next((f) => f.type === 'final' && f.utterance_id === utterance, {
      timeoutMs: 30_000,
      what: `the final of ${utterance}`,
    });
    const takeoverMs = client.timeOf(final) - termAt;
    const outcomes = await finish(client, sessionId, streaming);
    report('stt SIGTERM hand-back', {
      exit_ms: exitMs,
      final_after_ms: takeoverMs,
      final_by: final.worker === b.name ? 'other worker' : 'stopping worker',
      finals: outcomes.finals.length,
    });
  });
});
