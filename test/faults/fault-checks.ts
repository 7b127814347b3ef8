import { writeSync } from 'node:fs';
import { type ClientOptions } from 'ws';
import { type Frame, TestClient } from '../helpers/ws-client';
import { type FaultCluster } from './fault-cluster';

/** A TestClient that also records when each frame arrived (epoch ms, same order as `frames`). */
export class TimedClient extends TestClient {
  readonly times: number[] = [];

  constructor(url: string, options?: ClientOptions) {
    super(url, options);
    this.ws.on('message', () => this.times.push(Date.now()));
  }

  static async open(url: string, options?: ClientOptions): Promise<TimedClient> {
    const client = new TimedClient(url, options);
    await client.opened;
    return client;
  }

  timeOf(frame: Frame): number {
    return this.times[this.frames.indexOf(frame)];
  }
}

export interface Outcomes {
  /** Finals and utterance errors by utterance id, in delivery order. */
  byUtterance: Map<string, Frame>;
  finals: Frame[];
  errors: Frame[];
}

/**
 * The client-side guarantee: every utterance ends as exactly one `final` or one utterance `error`,
 * seq runs 1..n without gaps or repeats, and each final has exactly one translation per target.
 */
export function expectExactlyOnce(frames: Frame[], targets: string[] = []): Outcomes {
  const outcomes = frames.filter(
    (f) => f.type === 'final' || (f.type === 'error' && f.utterance_id !== undefined),
  );
  const byUtterance = new Map<string, Frame>();
  for (const frame of outcomes) {
    const id = frame.utterance_id as string;
    if (byUtterance.has(id)) {
      throw new Error(
        `utterance ${id} was delivered twice: ${JSON.stringify([byUtterance.get(id), frame])}`,
      );
    }
    byUtterance.set(id, frame);
  }
  expect(outcomes.map((f) => f.seq)).toEqual(outcomes.map((_, i) => i + 1));
  const finals = outcomes.filter((f) => f.type === 'final');
  for (const final of finals) {
    for (const language of targets) {
      const translations = frames.filter(
        (f) =>
          f.type === 'translation' &&
          f.utterance_id === final.utterance_id &&
          f.language === language,
      );
      if (translations.length !== 1) {
        throw new Error(
          `final ${final.utterance_id as string} has ${translations.length} "${language}" translations`,
        );
      }
    }
  }
  return { byUtterance, finals, errors: outcomes.filter((f) => f.type === 'error') };
}

/**
 * The write-side guarantee: the session's result stream holds at most one final (or utterance
 * error) per utterance and at most one final translation per utterance and language.
 */
export async function expectStreamWrittenOnce(
  cluster: FaultCluster,
  sessionId: string,
): Promise<number> {
  const results = await cluster.results(sessionId);
  const seen = new Set<string>();
  let outcomes = 0;
  for (const message of results) {
    let key: string | undefined;
    if (message.type === 'final' || (message.type === 'error' && message.utteranceId)) {
      key = `outcome:${message.utteranceId as string}`;
      outcomes++;
    } else if (message.type === 'translation' && message.kind === 'final') {
      key = `translation:${message.utteranceId as string}:${message.language as string}`;
    }
    if (key === undefined) continue;
    if (seen.has(key)) throw new Error(`${key} was written twice to the result stream`);
    seen.add(key);
  }
  return outcomes;
}

/** The id of an stt (or translation) job that a worker holds right now and that is a final. */
export async function activeFinal(
  cluster: FaultCluster,
  queue: 'stt' | 'translation' = 'stt',
): Promise<string | undefined> {
  const ids = await cluster.client.lrange(`${cluster.prefix}:${queue}:active`, 0, -1);
  for (const id of ids) {
    const name = await cluster.client.hget(`${cluster.prefix}:${queue}:${id}`, 'name');
    if (name === 'final') return id;
  }
  return undefined;
}

/** `${sessionId}:${index}:${revision}` -> `${sessionId}:${index}`. */
export function utteranceOfJob(jobId: string): string {
  return jobId.split(':').slice(0, 2).join(':');
}

/** Recovery figures, printed by each case and collected for the README. */
export function report(name: string, figures: Record<string, number | string>): void {
  const text = Object.entries(figures)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? `${Math.round(v)}` : v}`)
    .join(' ');
  // Synchronous: Jest's forceExit may drop a pending write of the last suite.
  writeSync(1, `[faults] ${name}: ${text}\n`);
}
