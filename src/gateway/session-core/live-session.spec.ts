import { type FinalResult, type ResultMessage } from '../../contracts/result-messages';
import { type StoredResult } from '../../utterance/result-stream.service';
import { type ServerFrame } from '../../contracts/stream-frames';
import { type Segmenter, type SegmenterEvent } from '../pipeline/segmenter.port';
import type { FinalReason } from '../../vad';
import { CloseCode } from '../../contracts/close-codes';
import { ProtocolError } from '../../contracts/protocol-error';
import { LiveSession } from './live-session';
import { type FrameContext, type SessionDeps, type SessionOutput } from './session-port';

/** In-memory stand-ins for Redis, queues and metrics: just enough for one session. */
function harness(options: { deliverOutcome?: 'ok' | 'owner' } = {}) {
  const segmenterCalls: string[] = [];
  let nextEvents: SegmenterEvent[] = [];
  const segmenter: Segmenter = {
    push: (pcm) => {
      segmenterCalls.push(`push ${pcm.length}`);
      const events = nextEvents;
      nextEvents = [];
      return Promise.resolve(events);
    },
    finalize: (reason) => {
      segmenterCalls.push(`finalize ${reason}`);
      const events = nextEvents;
      nextEvents = [];
      return Promise.resolve(events);
    },
    discard: () => {
      segmenterCalls.push('discard');
      return Promise.resolve(openUtterance);
    },
    setSilenceThreshold: (seconds) => segmenterCalls.push(`silence ${seconds}`),
    endIfSilent: () => Promise.resolve([]),
    dispose: () => segmenterCalls.push('dispose'),
  };
  /** What the fake segmenter's discard() reports as dropped. */
  let openUtterance: number | undefined;
  let subscriber: ((results: StoredResult[]) => void) | undefined;
  let index = 0;
  let seq = 0;
  const gauge = { value: 0 };
  const counter = { inc: () => undefined, observe: () => undefined };
  const deps = {
    store: {
      create: () => Promise.resolve({ sessionId: 'sid', token: 'sid.tok' }),
      resume: () => Promise.reject(new Error('not used')),
      saveConfig: () => Promise.resolve(),
      load: () => Promise.resolve({ seq, lastSentId: '0', lastIndex: 0, keyId: null }),
      expectedFinals: () => Promise.resolve([]),
      outbox: () => Promise.resolve([]),
      readResults: () => Promise.resolve([]),
      touch: () => Promise.resolve(),
      discard: () => Promise.resolve(),
      nextIndex: () => Promise.resolve(++index),
      expectFinal: () => Promise.resolve(),
      setLastSent: () => Promise.resolve(),
      deliver: () =>
        Promise.resolve(
          options.deliverOutcome === 'owner'
            ? { status: 'owner' }
            : { status: 'ok', id: `${++seq}-0`, seq },
        ),
    },
    reader: {
      subscribe: (_id: string, _after: string, callback: (results: StoredResult[]) => void) =>
        (subscriber = callback),
      unsubscribe: () => undefined,
    },
    segmenters: { create: () => segmenter },
    metrics: {
      reject: () => undefined,
      sessionsActive: { inc: () => gauge.value++, dec: () => gauge.value-- },
      sessionStarted: () => gauge.value++,
      sessionEnded: (started: boolean) => (started ? gauge.value-- : undefined),
      errors: counter,
      stages: counter,
      finalDelivered: () => undefined,
      audioSeconds: counter,
      audioLag: counter,
      deliveryLatency: counter,
      interimsDropped: counter,
      interimsBackedOff: counter,
      speculations: counter,
    },
    records: { sessionStarted: () => undefined, delivered: () => undefined },
    load: {
      overloaded: false,
      queueDepth: 0,
      interimIntervalFactor: 1,
      recordFinalLatency: () => undefined,
    },
    audio: { keyFor: () => 'audio-key', put: () => Promise.resolve() },
    revisions: { mark: () => Promise.resolve() },
    queues: { add: () => Promise.resolve() },
    results: { append: () => Promise.resolve() },
    verdicts: { decide: () => Promise.resolve({ kind: 'confirm' }) },
    speculation: { enabled: false, maxQueueDepth: 0 },
    interimIntervalMs: 500,
    defaultSampleRate: 16000,
    sessionTtlSeconds: 60,
    instanceId: 'test',
    turnTiming: { mode: 'silence', silenceMs: 600, minSilenceMs: 250, maxSilenceMs: 1500 },
    turnMinConfidence: 0.5,
    offers: { watch: () => () => undefined },
  } as unknown as SessionDeps;

  const frames: { frame: ServerFrame; context: FrameContext }[] = [];
  const closes: [number, string][] = [];
  const events: string[] = [];
  const output: SessionOutput = {
    send: (frame, context) => frames.push({ frame, context }),
    close: (code, reason) => closes.push([code, reason]),
    speechStarted: (event) => events.push(`speech-started ${event.atSec}`),
    utteranceEnded: (event) => events.push(`utterance-ended ${event.index} ${event.reason}`),
  };
  let ended = 0;
  const session = new LiveSession(deps, output, { onEnded: () => ended++ });
  return {
    session,
    frames,
    closes,
    events,
    segmenterCalls,
    gauge,
    ended: () => ended,
    willEmit: (events: SegmenterEvent[]) => (nextEvents = events),
    willDiscard: (utterance: number | undefined) => (openUtterance = utterance),
    /** Results as the stt and translation workers would write them. */
    results: (messages: ResultMessage[]) =>
      subscriber!(messages.map((message, i) => ({ id: `${100 + i}-0`, message }))),
    types: () => frames.map((f) => f.frame.type),
  };
}

/** Lets the session's queued inputs run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

const pcm = (samples: number): Buffer => Buffer.alloc(samples * 2);

const finalEvent = (utterance: number, reason: FinalReason): SegmenterEvent => ({
  type: 'final',
  utterance,
  audio: new Int16Array(16),
  startSec: 0,
  endSec: 1,
  speechStartSec: 0,
  speechEndSec: 1,
  reason,
  speculated: false,
});

const finalResult = (index: number): FinalResult => ({
  type: 'final',
  utteranceId: `sid:${index}`,
  index,
  text: `text ${index}`,
  language: 'en',
  start: 0,
  end: 1,
  words: [],
  latency: { queueMs: 1, sttMs: 1 },
  worker: 'w',
});

describe('LiveSession', () => {
  it('opens with a session frame and streams audio into the segmenter', async () => {
    const h = harness();
    h.session.start({ config: { source: 'en' } });
    h.session.audio(pcm(160));
    await settle();
    expect(h.session.state).toBe('streaming');
    expect(h.frames[0].frame).toMatchObject({ type: 'session', session_id: 'sid' });
    expect(h.segmenterCalls).toEqual(['push 160']);
    expect(h.gauge.value).toBe(1);
  });

  it('drops audio after the transport closed, and closes only once', async () => {
    const h = harness();
    h.session.start({ config: {} });
    await settle();
    await h.session.transportClosed();
    h.session.audio(pcm(160));
    await h.session.transportClosed();
    await settle();
    expect(h.session.state).toBe('closed');
    expect(h.segmenterCalls).toEqual(['finalize close', 'dispose']);
    expect(h.gauge.value).toBe(0);
    expect(h.ended()).toBe(2);
  });

  it('drains: finalize and audio while draining are ignored; closed frame, then 1000', async () => {
    const h = harness();
    h.session.start({ config: {} });
    h.session.audio(pcm(160));
    h.session.drain();
    h.session.finalize();
    h.session.audio(pcm(160));
    await settle();
    expect(h.segmenterCalls).toEqual(['push 160', 'finalize close']);
    expect(h.types()).toEqual(['session', 'closed']);
    expect(h.closes).toEqual([[CloseCode.Normal, 'closed']]);
    expect(h.session.state).toBe('closed');
  });

  it('refuses a resume by config after audio, with an error frame, and stays open', async () => {
    const h = harness();
    h.session.start({ config: {} });
    h.session.audio(pcm(160));
    h.session.resumeInstead({ token: 'other.tok' }, {});
    await settle();
    expect(h.frames.at(-1)?.frame).toMatchObject({ type: 'error', code: 'invalid_resume' });
    expect(h.closes).toEqual([]);
    expect(h.session.state).toBe('streaming');
  });

  it('applies config while streaming with a new session frame', async () => {
    const h = harness();
    h.session.start({ config: {} });
    h.session.audio(pcm(160));
    h.session.configure({ targets: ['es'] });
    await settle();
    expect(h.frames.at(-1)?.frame).toMatchObject({ type: 'session', config: { targets: ['es'] } });
  });

  it('closes with the error code of a fatal protocol error and ignores what follows', async () => {
    const h = harness();
    h.session.start({ config: {} });
    h.session.reject(new ProtocolError('invalid_config', 'bad', CloseCode.BadRequest));
    h.session.audio(pcm(160));
    await settle();
    expect(h.closes).toEqual([[CloseCode.BadRequest, 'bad']]);
    expect(h.segmenterCalls).toEqual([]);
    await h.session.transportClosed();
    // Closed by the error: nothing is finalized for a resume.
    expect(h.segmenterCalls).toEqual(['dispose']);
  });

  it('a takeover during the drain closes 4004 without a closed frame', async () => {
    const h = harness({ deliverOutcome: 'owner' });
    h.session.start({ config: {} });
    h.session.audio(pcm(160));
    h.willEmit([finalEvent(1, 'close')]);
    h.session.drain();
    await settle();
    expect(h.session.state).toBe('draining');
    h.results([finalResult(1)]);
    await settle();
    expect(h.session.state).toBe('taken_over');
    expect(h.closes).toEqual([
      [CloseCode.SessionTakenOver, 'session resumed on another connection'],
    ]);
    expect(h.types()).not.toContain('closed');
  });

  it('reports segmenter events and marks the final of a finalize() request', async () => {
    const h = harness();
    h.session.start({ config: {} });
    h.willEmit([{ type: 'speech-start', utterance: 1, atSec: 0.5 }]);
    h.session.audio(pcm(160));
    await settle();
    h.willEmit([finalEvent(1, 'finalize')]);
    h.session.finalize();
    await settle();
    expect(h.events).toEqual(['speech-started 0.5', 'utterance-ended 1 finalize']);
    h.results([finalResult(1)]);
    await settle();
    const final = h.frames.find((f) => f.frame.type === 'final');
    expect(final?.context.fromFinalize).toBe(true);
    expect(final?.frame).toMatchObject({ utterance_id: 'sid:1', seq: 1 });
  });

  it('tells a finalize() whether it ended an utterance', async () => {
    const h = harness();
    const outcomes: boolean[] = [];
    h.session.start({ config: {} });
    h.session.finalize((ended) => outcomes.push(ended));
    h.willEmit([{ type: 'speech-start', utterance: 1, atSec: 0.5 }]);
    h.session.audio(pcm(160));
    await settle();
    h.willEmit([finalEvent(1, 'finalize')]);
    h.session.finalize((ended) => outcomes.push(ended));
    await settle();
    expect(outcomes).toEqual([false, true]);
  });

  it('discards the open utterance: no final is enqueued, later speech goes on', async () => {
    const h = harness();
    const discarded: (number | undefined)[] = [];
    h.session.start({ config: {} });
    h.willEmit([{ type: 'speech-start', utterance: 1, atSec: 0.5 }]);
    h.session.audio(pcm(160));
    h.willDiscard(1);
    h.session.discard((index) => discarded.push(index));
    h.session.audio(pcm(160));
    await settle();
    expect(discarded).toEqual([1]);
    expect(h.segmenterCalls).toEqual(['push 160', 'discard', 'push 160']);
    expect(h.events).toEqual(['speech-started 0.5']);
    expect(h.types()).toEqual(['session']);
    expect(h.session.state).toBe('streaming');
  });

  it('changes the silence threshold of the running segmenter', async () => {
    const h = harness();
    h.session.start({ config: {} });
    h.session.silenceThreshold(1.2);
    h.session.audio(pcm(160));
    await settle();
    expect(h.segmenterCalls).toEqual(['silence 1.2', 'push 160']);
  });
});
