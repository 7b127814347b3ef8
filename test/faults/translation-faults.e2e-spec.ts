/**
 * Translation engine faults with real processes: the Apertium pipeline (child processes of the
 * translation role) is killed while it holds a translation; the translation still arrives, once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { PHRASE_A, PHRASE_B, PHRASE_C } from '../helpers/phrases';
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

/** Process groups led by children of `pid` (each Apertium pipeline runs in its own group). */
function childGroups(pid: number): number[] {
  const groups: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its closing paren.
    const [, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(ppid) === pid && Number(pgrp) === Number(entry)) groups.push(Number(entry));
  }
  return groups;
}

describe('translation engine faults', () => {
  let cluster: FaultCluster;
  let gateway: RoleProcess;
  let translation: RoleProcess;

  beforeEach(async () => {
    cluster = await FaultCluster.start();
    [gateway, , translation] = await Promise.all([
      cluster.spawn('gateway'),
      cluster.spawn('stt', { WHISPER_MODEL: randomWeightsModel() }),
      cluster.spawn('translation'),
    ]);
  });

  afterEach(async () => {
    await cluster.stop();
  });

  it('the Apertium pipeline killed mid-job: the translation still arrives, once', async () => {
    const client = await TimedClient.open(`${gateway.gatewayUrl}/?source=en&targets=es`);
    const sessionId = (await sessionOf(client)).session_id as string;
    // The first translation starts the en-es pipeline.
    await stream(client, speechWithPauses([PHRASE_A]), 4);
    await client.waitCount('translation', 1);
    const groups = await waitFor(
      () => {
        const found = childGroups(translation.pid);
        return found.length > 0 ? found : undefined;
      },
      { what: 'the Apertium pipeline process group' },
    );

    // Freeze the pipeline so the next translation is in its hands, then kill it.
    for (const group of groups) process.kill(-group, 'SIGSTOP');
    const streaming = stream(client, speechWithPauses([PHRASE_B, PHRASE_C]), 4);
    const jobId = await waitFor(() => activeFinal(cluster, 'translation'), {
      intervalMs: 5,
      timeoutMs: 30_000,
      what: 'a translation job in progress',
    });
    await new Promise((r) => setTimeout(r, 200));
    const killedAt = Date.now();
    for (const group of groups) process.kill(-group, 'SIGKILL');

    const utterance = utteranceOfJob(jobId);
    const translated = await client.next(
      (f) => f.type === 'translation' && f.utterance_id === utterance,
      { timeoutMs: 30_000, what: `the translation of ${utterance}` },
    );
    const recoveryMs = client.timeOf(translated) - killedAt;
    await streaming;
    await drain(client);
    const outcomes = expectExactlyOnce(client.frames, ['es']);
    expect(outcomes.errors).toEqual([]);
    expect(client.of('error')).toEqual([]);
    expect(outcomes.finals).toHaveLength(3);
    expect(await expectStreamWrittenOnce(cluster, sessionId)).toBe(
      await cluster.utteranceCount(sessionId),
    );
    // A new pipeline serves the rest.
    expect(childGroups(translation.pid).some((g) => !groups.includes(g))).toBe(true);
    report('translation engine SIGKILL', {
      recovery_ms: recoveryMs,
      finals: outcomes.finals.length,
    });
  });
});
