/**
 * Redis killed (SIGKILL) mid-session and restarted 5 s later, with real processes of every role.
 * The suite's Redis persists with an append-only file (fsync always), as production should, so
 * the restart keeps queues and sessions.
 */
import { randomWeightsModel, waitFor } from '../helpers/test-env';
import { type Frame } from '../helpers/ws-client';
import { FaultCluster, type RoleProcess } from './fault-cluster';
import { drain, sessionOf, speechWithPauses, stream } from './fault-client';
import {
  activeFinal,
  expectExactlyOnce,
  expectStreamWrittenOnce,
  report,
  TimedClient,
} from './fault-checks';

jest.setTimeout(120_000);

const OUTAGE_MS = 5000;
const BEFORE = ['good morning everybody', 'the meeting starts at ten'];
const DURING = ['the weather is nice today', 'we will take a short break'];
const AFTER = ['thank you all for coming'];

describe('Redis outage', () => {
  let cluster: FaultCluster;
  let roles: RoleProcess[];

  beforeEach(async () => {
    cluster = await FaultCluster.start();
    roles = await Promise.all([
      // Speculation off: this case needs a final in a worker's hands at the moment Redis dies; a
      // speculation moves that moment (and its index) earlier.
      cluster.spawn('gateway', { SPECULATIVE_SILENCE_SECONDS: '0' }),
      cluster.spawn('stt', { WHISPER_MODEL: randomWeightsModel() }),
      cluster.spawn('translation'),
    ]);
  });

  afterEach(async () => {
    await cluster.stop();
  });

  it('killed and restarted after 5 s: 503 then 200, every role resumes, no utterance silently lost', async () => {
    const [gateway] = roles;
    const client = await TimedClient.open(`${gateway.gatewayUrl}/?source=en&targets=es`);
    const session = await sessionOf(client);
    const sessionId = session.session_id as string;
    // Redis dies while an stt worker holds the final of the second utterance.
    const streaming = stream(client, speechWithPauses([...BEFORE, ...DURING]), 2);
    await waitFor(
      async () => {
        const id = await activeFinal(cluster);
        return id !== undefined && id.split(':')[1] === '2' ? id : undefined;
      },
      { intervalMs: 5, timeoutMs: 30_000, what: 'the second final in the hands of a worker' },
    );
    const killedAt = Date.now();
    await cluster.redis.stop('SIGKILL');
    const notReadyMs = await Promise.all(roles.map((role) => role.waitReadiness(503, 10_000)));
    // Speech while Redis is away: each utterance must end as a final or an explicit error.
    await streaming;
    const left = OUTAGE_MS - (Date.now() - killedAt);
    if (left > 0) await new Promise((r) => setTimeout(r, left));
    await cluster.redis.start();
    const restartedAt = Date.now();
    const readyMs = await Promise.all(roles.map((role) => role.waitReadiness(200, 20_000)));
    expect(client.ws.readyState).toBe(client.ws.OPEN);

    // A new utterance after recovery goes through gateway, stt and translation within 10 s.
    const spokenAt = Date.now();
    const framesBefore = client.frames.length;
    await stream(client, speechWithPauses(AFTER), 4);
    const isNew = (f: Frame): boolean => client.frames.indexOf(f) >= framesBefore;
    const final = await client.next((f) => isNew(f) && f.type === 'final', {
      timeoutMs: 10_000,
      what: 'the final of the utterance after recovery',
    });
    await client.next(
      (f) => isNew(f) && f.type === 'translation' && f.utterance_id === final.utterance_id,
      { timeoutMs: 10_000, what: 'its translation' },
    );
    const afterRecoveryMs = Date.now() - spokenAt;
    // Done by the very worker processes that lived through the outage (no silent dead consumer).
    expect(final.worker).toBe(roles[1].name);

    await drain(client);
    const outcomes = expectExactlyOnce(client.frames, ['es']);
    // Errors without an utterance id were sent while nothing could be written to Redis.
    const direct = client.frames.filter(
      (f) => f.type === 'error' && f.utterance_id === undefined && f.code === 'enqueue_failed',
    );
    for (const error of [...outcomes.errors, ...direct]) expect(error.retryable).toBe(true);
    const spoken = BEFORE.length + DURING.length + AFTER.length;
    expect(outcomes.finals.length + outcomes.errors.length + direct.length).toBe(spoken);
    expect(await expectStreamWrittenOnce(cluster, sessionId)).toBe(
      await cluster.utteranceCount(sessionId),
    );
    // The final that was in a worker's hands when Redis died: retried after the restart.
    const inFlight = outcomes.byUtterance.get(`${sessionId}:2`);
    expect(inFlight?.type).toBe('final');
    report('Redis restart', {
      in_flight_final_after_restart_ms: client.timeOf(inFlight!) - restartedAt,
      not_ready_after_ms: Math.max(...notReadyMs),
      ready_after_restart_ms: Math.max(...readyMs),
      ready_after_restart_by_role: roles
        .map((r, i) => `${r.role}:${Math.round(readyMs[i])}`)
        .join(','),
      new_utterance_done_ms: afterRecoveryMs,
      outage_ms: restartedAt - killedAt,
      finals: outcomes.finals.length,
      utterance_errors: outcomes.errors.length,
      direct_errors: direct.length,
    });
  });
});
