/**
 * Gateway faults with real processes: a client whose gateway dies resumes on another one with its
 * resume token and last seq, and gets every result exactly once; a gateway told to stop closes
 * its clients with 1001 and a reason naming where to go.
 */
import { PHRASE_A, PHRASE_B, PHRASE_C } from '../helpers/phrases';
import { randomWeightsModel, waitFor } from '../helpers/test-env';
import { type Frame } from '../helpers/ws-client';
import { FaultCluster, type RoleProcess } from './fault-cluster';
import { drain, sessionOf, speechWithPauses, stream } from './fault-client';
import { expectExactlyOnce, expectStreamWrittenOnce, report, TimedClient } from './fault-checks';

jest.setTimeout(120_000);

const TARGETS = ['es'];

describe('gateway faults', () => {
  let cluster: FaultCluster;
  let first: RoleProcess;
  let second: RoleProcess;
  let stt: RoleProcess;
  let before: Int16Array;
  let third: Int16Array;
  let after: Int16Array;

  beforeAll(() => {
    before = speechWithPauses([PHRASE_A, PHRASE_B]);
    third = speechWithPauses([PHRASE_C]);
    after = speechWithPauses([PHRASE_B, PHRASE_A]);
  });

  beforeEach(async () => {
    cluster = await FaultCluster.start();
    [first, second, stt] = await Promise.all([
      cluster.spawn('gateway'),
      cluster.spawn('gateway'),
      cluster.spawn('stt', { WHISPER_MODEL: randomWeightsModel() }),
      cluster.spawn('translation'),
    ]);
  });

  afterEach(async () => {
    await cluster.stop();
  });

  /**
   * Two phrases to `first`, delivered; then a third one that is queued but not yet transcribed
   * (the stt worker is paused until the gateway is gone) so its final reaches the client only
   * through the second gateway.
   */
  async function speakThenWaitQueued(): Promise<{ client: TimedClient; session: Frame }> {
    const client = await TimedClient.open(`${first.gatewayUrl}/?source=en&targets=es`);
    const session = await sessionOf(client);
    await stream(client, before, 4);
    await client.waitCount('translation', 2);
    stt.signal('SIGSTOP');
    await stream(client, third, 4);
    await waitFor(
      async () =>
        (
          await cluster.client.lrange(
            `${cluster.prefix}:session:${session.session_id}:finals`,
            0,
            -1,
          )
        ).length >= 3,
      { what: 'three finals queued by the first gateway' },
    );
    return { client, session };
  }

  /** Resumes on `second`, speaks two more phrases, drains; checks the union of both sockets. */
  async function resumeAndFinish(client: TimedClient, session: Frame, downAt: number) {
    const got = client.frames.filter((f) => f.type === 'final' || f.type === 'error');
    const lastSeq = Math.max(0, ...got.map((f) => Number(f.seq ?? 0)));
    const resumed = await TimedClient.open(
      `${second.gatewayUrl}/?resume=${encodeURIComponent(session.resume_token as string)}&last_seq=${lastSeq}`,
    );
    const again = await sessionOf(resumed);
    expect(again.resumed).toBe(true);
    expect(again.session_id).toBe(session.session_id);
    const resumeMs = resumed.timeOf(again) - downAt;
    stt.signal('SIGCONT');
    await stream(resumed, after, 4);
    await drain(resumed);

    // What the first socket got up to lastSeq (with translations of those finals), then the rest.
    const firstPart = client.frames.filter(
      (f) =>
        (f.type === 'final' || f.type === 'translation' || f.type === 'error') && f.seq <= lastSeq,
    );
    const all = [...firstPart, ...resumed.frames.filter((f) => f.type !== 'realtime')];
    const outcomes = expectExactlyOnce(all, TARGETS);
    expect(outcomes.errors).toEqual([]);
    const sessionId = session.session_id as string;
    expect(await expectStreamWrittenOnce(cluster, sessionId)).toBe(
      await cluster.utteranceCount(sessionId),
    );
    // Five phrases, each one utterance.
    expect(outcomes.finals).toHaveLength(5);
    return { lastSeq, resumeMs, finals: outcomes.finals.length };
  }

  it('SIGKILL mid-session: the client resumes on another gateway without loss or duplicates', async () => {
    const { client, session } = await speakThenWaitQueued();
    const killedAt = Date.now();
    await first.kill('SIGKILL');
    const closed = await client.closed;
    expect(closed.code).toBe(1006);
    expect(client.of('final')).toHaveLength(2);
    const figures = await resumeAndFinish(client, session, killedAt);
    report('gateway SIGKILL', {
      resume_ms: figures.resumeMs,
      last_seq_before: figures.lastSeq,
      finals: figures.finals,
    });
  });

  it('SIGTERM: clients are closed with 1001 and a reason, resume elsewhere, exit 0', async () => {
    const { client, session } = await speakThenWaitQueued();
    const termAt = Date.now();
    first.signal('SIGTERM');
    const readiness = await waitFor(
      async () => {
        const status = await first.readiness();
        return status === 200 ? undefined : status;
      },
      { intervalMs: 10, what: 'readiness to leave 200' },
    );
    expect([503, 0]).toContain(readiness);
    const closed = await client.closed;
    expect(closed.code).toBe(1001);
    expect(closed.reason).toMatch(/resume/);
    expect((await first.proc.exited).code).toBe(0);
    const figures = await resumeAndFinish(client, session, termAt);
    report('gateway SIGTERM', {
      readiness_during_drain: readiness,
      resume_ms: figures.resumeMs,
      last_seq_before: figures.lastSeq,
      finals: figures.finals,
    });
  });
});
