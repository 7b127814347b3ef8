import { Logger } from '@nestjs/common';
import { compareStreamIds } from '../../common/stream-id';
import {
  type FinalResult,
  type ResultMessage,
  type TranslationResult,
} from '../../contracts/result-messages';
import { type ServerFrame } from '../../contracts/stream-frames';
import { type StoredResult } from '../../utterance/result-stream.service';
import { type SessionConfig } from '../protocol/session-config';
import { type DeliverOutcome, type OutboxEntry } from '../session-store/session-store.service';
import { type DeliveryDeps, SessionDelivery } from './session-delivery';

const SESSION = 'sid';
const OWNER = 'gw-1:conn';

/**
 * The session's delivery state as SessionStoreService keeps it in Redis (the DELIVER script's
 * rules: owner check, one delivery per dedupe key, a final takes the next seq, a translation the
 * next id after it), in memory.
 */
class InMemorySessionStore {
  owner = OWNER;
  seq = 0;
  sub = 0;
  lastIndex = 0;
  lastSentId = '0';
  /** Finals enqueued and owed (SessionStoreService.expectFinal). */
  expected: number[] = [];
  readonly dedupe = new Set<string>();
  readonly entries: OutboxEntry[] = [];
  /** The session's result stream, as read before going live. */
  readonly stream: StoredResult[] = [];
  /** What the next deliver() calls do wrong: throw before writing, or write and lose the reply. */
  failures: ('unreachable' | 'reply lost')[] = [];
  /** Makes expectedFinals() fail once. */
  expectedFinalsFails = false;
  deliverCalls = 0;

  load(sessionId: string) {
    return Promise.resolve({
      sessionId,
      config: {} as SessionConfig,
      seq: this.seq,
      lastIndex: this.lastIndex,
      lastSentId: this.lastSentId,
      keyId: null,
    });
  }

  expectedFinals(_sessionId: string, after: number): Promise<number[]> {
    if (this.expectedFinalsFails) {
      this.expectedFinalsFails = false;
      return Promise.reject(new Error('redis went away'));
    }
    return Promise.resolve(this.expected.filter((index) => index > after));
  }

  outbox(_sessionId: string, afterId = '0'): Promise<OutboxEntry[]> {
    return Promise.resolve(this.entries.filter((e) => compareStreamIds(e.id, afterId) > 0));
  }

  readResults(_sessionId: string, afterId: string): Promise<StoredResult[]> {
    return Promise.resolve(this.stream.filter((r) => compareStreamIds(r.id, afterId) > 0));
  }

  setLastSent(_sessionId: string, id: string): Promise<void> {
    this.lastSentId = id;
    return Promise.resolve();
  }

  deliver(
    _sessionId: string,
    owner: string,
    mode: 'final' | 'translation' | 'settle',
    index: number,
    dedupe: string,
    frame: object | undefined,
  ): Promise<DeliverOutcome> {
    this.deliverCalls++;
    const failure = this.failures.shift();
    if (failure === 'unreachable') return Promise.reject(new Error('connection refused'));
    const outcome = this.write(owner, mode, index, dedupe, frame);
    if (failure === 'reply lost') return Promise.reject(new Error('command timed out'));
    return Promise.resolve(outcome);
  }

  private write(
    owner: string,
    mode: 'final' | 'translation' | 'settle',
    index: number,
    dedupe: string,
    frame: object | undefined,
  ): DeliverOutcome {
    if (owner !== this.owner) return { status: 'owner' };
    if (this.dedupe.has(dedupe)) return { status: 'dup' };
    this.dedupe.add(dedupe);
    if (mode !== 'translation') this.lastIndex = Math.max(this.lastIndex, index);
    let id = '';
    if (mode === 'final') {
      this.seq++;
      this.sub = 0;
      id = `${this.seq}-0`;
    } else if (mode === 'translation') {
      id = `${this.seq}-${++this.sub}`;
    }
    if (id) this.entries.push({ id, frame: frame as OutboxEntry['frame'] });
    return { status: 'ok', id, seq: this.seq };
  }
}

/** ResultReaderService for one session: the test publishes what the workers wrote. */
class InMemoryResultReader {
  private handler: ((results: StoredResult[]) => void) | undefined;
  private nextId = 100;
  subscribedAfter: string | undefined;

  subscribe(_sessionId: string, afterId: string, handler: (results: StoredResult[]) => void) {
    this.subscribedAfter = afterId;
    this.handler = handler;
  }

  unsubscribe(): void {
    this.handler = undefined;
  }

  get subscribed(): boolean {
    return this.handler !== undefined;
  }

  publish(...messages: ResultMessage[]): void {
    this.handler?.(messages.map((message) => ({ id: `${this.nextId++}-0`, message })));
  }
}

function harness() {
  const store = new InMemorySessionStore();
  const reader = new InMemoryResultReader();
  const frames: ServerFrame[] = [];
  const delivered: { index: number; writtenAt: number | undefined }[] = [];
  const archived: StoredResult[] = [];
  let takenOver = 0;
  const deps: DeliveryDeps = {
    store: store as unknown as DeliveryDeps['store'],
    reader: reader as unknown as DeliveryDeps['reader'],
    send: (frame, sent) => {
      frames.push(frame);
      sent?.();
    },
    onTakenOver: () => takenOver++,
    onFinalDelivered: (index, writtenAt) => delivered.push({ index, writtenAt }),
    onResultDelivered: (stored) => archived.push(stored),
  };
  const delivery = new SessionDelivery(SESSION, OWNER, deps);
  return {
    store,
    reader,
    delivery,
    frames,
    delivered,
    archived,
    takenOver: () => takenOver,
    /** The replayable frames sent, as `type seq id`. */
    sent: () =>
      frames.map((f) => ('seq' in f && 'id' in f ? `${f.type} ${f.seq} ${f.id}` : f.type)),
  };
}

const final = (index: number, text = `text ${index}`): FinalResult => ({
  type: 'final',
  utteranceId: `${SESSION}:${index}`,
  index,
  text,
  language: 'en',
  start: 0,
  end: 1,
  words: [],
  latency: { queueMs: 1, sttMs: 1 },
  worker: 'w',
});

const translation = (index: number, language: string): TranslationResult => ({
  type: 'translation',
  utteranceId: `${SESSION}:${index}`,
  index,
  kind: 'final',
  language,
  source: 'en',
  text: `${language} ${index}`,
  passthrough: false,
  engine: 'e',
  latencyMs: 1,
});

/** Lets the delivery's queued steps (and their retries' short waits) run. */
async function settle(ms = 0): Promise<void> {
  if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('SessionDelivery', () => {
  let warnings: string[];
  let errors: string[];
  let h: ReturnType<typeof harness>;

  beforeEach(() => {
    warnings = [];
    errors = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((m: unknown) => {
      warnings.push(String(m));
    });
    jest.spyOn(Logger.prototype, 'error').mockImplementation((m: unknown) => {
      errors.push(String(m));
    });
    h = harness();
  });

  afterEach(() => {
    h.delivery.stop();
    jest.restoreAllMocks();
  });

  describe('sequencing', () => {
    it('delivers finals in utterance order, numbered on from the seq the session had', async () => {
      h.store.seq = 4;
      h.store.sub = 2;
      await h.delivery.start();
      h.delivery.expect(1, []);
      h.delivery.expect(2, []);
      h.reader.publish(final(2));
      await settle();
      expect(h.frames).toEqual([]);
      h.reader.publish(final(1));
      await settle();
      expect(h.sent()).toEqual(['final 5 5-0', 'final 6 6-0']);
      expect(h.frames[0]).toMatchObject({ utterance_id: 'sid:1', text: 'text 1' });
      expect(h.frames[0]).not.toHaveProperty('index');
      expect(h.delivery.seq).toBe(6);
      expect(h.store.entries.map((e) => [e.id, e.frame.index])).toEqual([
        ['5-0', 1],
        ['6-0', 2],
      ]);
      expect(h.store.lastSentId).toBe('6-0');
      expect(h.delivered).toEqual([
        { index: 1, writtenAt: 101 },
        { index: 2, writtenAt: 100 },
      ]);
      expect(h.archived.map((r) => r.id)).toEqual(['101-0', '100-0']);
    });

    it('a final it was not told about waits for the earlier finals the store says are owed', async () => {
      await h.delivery.start();
      // Enqueued by another gateway (a connection that just dropped), after this one started.
      h.store.expected = [1, 2];
      h.reader.publish(final(2));
      await settle();
      expect(h.frames).toEqual([]);
      h.reader.publish(final(1));
      await settle();
      expect(h.sent()).toEqual(['final 1 1-0', 'final 2 2-0']);
    });

    it('sends a translation after its final, with the final seq', async () => {
      await h.delivery.start();
      h.delivery.expect(1, ['de']);
      h.reader.publish(translation(1, 'de'), final(1));
      await settle();
      expect(h.sent()).toEqual(['final 1 1-0', 'translation 1 1-1']);
      expect(h.frames[1]).toMatchObject({ language: 'de', text: 'de 1' });
    });

    it('settles an utterance without speech silently: no frame, no seq used', async () => {
      await h.delivery.start();
      h.delivery.expect(1, []);
      h.delivery.expect(2, []);
      h.reader.publish(final(1, ' '), final(2));
      await settle();
      expect(h.sent()).toEqual(['final 1 1-0']);
      expect(h.frames[0]).toMatchObject({ utterance_id: 'sid:2' });
      expect(h.store.lastIndex).toBe(2);
    });

    it('on resume, replays the outbox after the client position, then delivers what the stream already has', async () => {
      h.store.seq = 2;
      h.store.lastSentId = '2-1';
      h.store.entries.push(
        { id: '1-0', frame: { type: 'final', index: 1, utterance_id: 'sid:1', text: 'a' } },
        { id: '2-0', frame: { type: 'final', index: 2, utterance_id: 'sid:2', text: 'b' } },
        { id: '2-1', frame: { type: 'translation', index: 2, seq: 2, language: 'de' } },
      );
      h.store.lastIndex = 2;
      h.store.dedupe.add('u:1').add('u:2').add('t:2:de');
      h.store.expected = [3];
      h.store.stream.push(
        { id: '50-0', message: { ...final(3), text: 'c' } },
        {
          id: '51-0',
          message: {
            type: 'interim',
            utteranceId: 'sid:4',
            index: 4,
            revision: 1,
            text: 'stale',
            language: 'en',
            worker: 'w',
          },
        },
      );
      await h.delivery.start({ lastSeq: 1 });
      expect(h.sent()).toEqual(['final 2 2-0', 'translation 2 2-1', 'final 3 3-0']);
      expect(h.frames[2]).toMatchObject({ text: 'c' });
      expect(h.reader.subscribedAfter).toBe('51-0');
    });
  });

  describe('dedupe', () => {
    it('delivers a result that arrives twice once', async () => {
      await h.delivery.start();
      h.delivery.expect(1, []);
      h.reader.publish(final(1));
      h.reader.publish(final(1));
      await settle();
      expect(h.sent()).toEqual(['final 1 1-0']);
      expect(h.store.deliverCalls).toBe(1);
    });

    it('sends nothing for a frame the store already delivered (another connection did)', async () => {
      h.store.dedupe.add('u:1');
      await h.delivery.start();
      h.delivery.expect(1, []);
      h.delivery.expect(2, []);
      h.reader.publish(final(1), final(2));
      await settle();
      expect(h.sent()).toEqual(['final 1 1-0']);
      expect(h.frames[0]).toMatchObject({ utterance_id: 'sid:2' });
      expect(h.delivered.map((d) => d.index)).toEqual([2]);
      await expect(h.delivery.drained(50)).resolves.toBe(true);
    });
  });

  describe('drained()', () => {
    it('is true at once when no final is owed', async () => {
      await h.delivery.start();
      await expect(h.delivery.drained(50)).resolves.toBe(true);
    });

    it('waits for the owed finals, and is true once they went out', async () => {
      await h.delivery.start();
      h.delivery.expect(1, []);
      let result: boolean | undefined;
      const drained = h.delivery.drained(5000).then((done) => (result = done));
      await settle();
      expect(result).toBeUndefined();
      h.reader.publish(final(1));
      await drained;
      expect(result).toBe(true);
      expect(h.sent()).toEqual(['final 1 1-0']);
    });

    it('is false when an owed final does not come in time', async () => {
      await h.delivery.start();
      h.delivery.expect(1, []);
      await expect(h.delivery.drained(30)).resolves.toBe(false);
    });

    it('waits for the translations of the last finals too', async () => {
      await h.delivery.start();
      h.delivery.expect(1, ['de']);
      h.reader.publish(final(1));
      await settle();
      let result: boolean | undefined;
      const drained = h.delivery.drained(5000).then((done) => (result = done));
      await settle();
      expect(result).toBeUndefined();
      h.reader.publish(translation(1, 'de'));
      await drained;
      expect(result).toBe(true);
      expect(h.sent()).toEqual(['final 1 1-0', 'translation 1 1-1']);
    });

    it('stop() ends a drain that waits for finals', async () => {
      await h.delivery.start();
      h.delivery.expect(1, []);
      const drained = h.delivery.drained(5000);
      await settle();
      h.delivery.stop();
      await expect(drained).resolves.toBe(true);
      expect(h.reader.subscribed).toBe(false);
    });
  });

  describe('when the store fails', () => {
    it('retries a delivery until the store answers, and sends the frame once', async () => {
      await h.delivery.start();
      h.delivery.expect(1, []);
      h.store.failures = ['unreachable', 'unreachable'];
      h.reader.publish(final(1));
      await settle();
      expect(h.frames).toEqual([]);
      await settle(400);
      expect(h.sent()).toEqual(['final 1 1-0']);
      expect(h.store.deliverCalls).toBe(3);
      expect(warnings).toEqual([
        expect.stringContaining('Delivery for session sid waits for Redis'),
      ]);
    });

    it('sends a frame whose write succeeded but whose reply was lost, from the outbox', async () => {
      await h.delivery.start();
      h.delivery.expect(1, []);
      h.store.failures = ['reply lost'];
      h.reader.publish(final(1));
      await settle(200);
      expect(h.sent()).toEqual(['final 1 1-0']);
      expect(h.store.entries).toHaveLength(1);
      expect(h.delivery.seq).toBe(1);
    });

    it('gives up retrying once stopped', async () => {
      await h.delivery.start();
      h.delivery.expect(1, []);
      h.store.failures = ['unreachable', 'unreachable', 'unreachable'];
      h.reader.publish(final(1));
      await settle();
      h.delivery.stop();
      await settle(400);
      expect(h.frames).toEqual([]);
      expect(h.store.deliverCalls).toBe(1);
    });

    it('logs a failed step and goes on with the next results', async () => {
      await h.delivery.start();
      h.store.expectedFinalsFails = true;
      h.reader.publish(final(2));
      await settle();
      expect(errors).toEqual([
        expect.stringContaining('Delivery for session sid failed: Error: redis went away'),
      ]);
      h.delivery.expect(1, []);
      h.reader.publish(final(1));
      await settle();
      expect(h.sent()).toEqual(['final 1 1-0']);
    });

    it('stops and reports a takeover when another connection owns the session', async () => {
      await h.delivery.start();
      h.delivery.expect(1, []);
      h.store.owner = 'gw-2:other';
      h.reader.publish(final(1));
      await settle();
      expect(h.takenOver()).toBe(1);
      expect(h.frames).toEqual([]);
      expect(h.reader.subscribed).toBe(false);
    });
  });
});
