import type { SpeculationOffer } from '../../contracts/speculation-verdict';
import type { TurnFrame } from '../../contracts/stream-frames';
import type { TurnTiming } from '../../turns';
import { defaultSessionConfig } from '../protocol/session-config';
import type { Segmenter, SegmenterEvent } from './segmenter.port';
import { type PipelineDeps, UtterancePipeline } from './utterance-pipeline';

const SEMANTIC: TurnTiming = {
  mode: 'semantic',
  silenceMs: 600,
  minSilenceMs: 250,
  maxSilenceMs: 1500,
};
const audio = new Int16Array(1600);
const speech = { type: 'speech-start', utterance: 0, atSec: 0 } as const;
const speculative = {
  type: 'speculative',
  utterance: 0,
  audio,
  startSec: 0,
  endSec: 1,
  speechStartSec: 0,
  speechEndSec: 0.9,
} as const;
const final = (speculated: boolean, reason: 'silence' | 'finalize' = 'silence') =>
  ({
    type: 'final',
    utterance: 0,
    audio,
    startSec: 0,
    endSec: 1,
    speechStartSec: 0,
    speechEndSec: 0.9,
    reason,
    speculated,
  }) as const;

/**
 * One pipeline with in-memory fakes for Redis, the queue and the segmenter: each `push` returns
 * the next scripted events; offers are made by hand, as a worker's announcement would arrive.
 */
function harness(timing: TurnTiming = SEMANTIC, audioProbability?: number) {
  const heard: number[] = [];
  const script: SegmenterEvent[][] = [];
  /** What endIfSilent() returns next (the silence is already long enough). */
  const silentEnd: SegmenterEvent[][] = [];
  const thresholds: number[] = [];
  const jobs: { kind: string; speculative: boolean; revision: number }[] = [];
  const verdicts: string[] = [];
  const turns: TurnFrame[] = [];
  const watches = new Map<string, (offer: SpeculationOffer) => void>();
  const segmenter: Segmenter = {
    push: () => Promise.resolve(script.shift() ?? []),
    finalize: () => Promise.resolve([]),
    discard: () => Promise.resolve(undefined),
    setSilenceThreshold: (seconds) => thresholds.push(seconds),
    endIfSilent: () => Promise.resolve(silentEnd.shift() ?? []),
    dispose: () => undefined,
  };
  const counter = { inc: () => undefined, observe: () => undefined };
  const deps = {
    store: { nextIndex: () => Promise.resolve(1), expectFinal: () => Promise.resolve() },
    audio: { keyFor: () => 'audio', put: () => Promise.resolve() },
    results: { append: () => Promise.resolve('1-0') },
    revisions: { mark: () => Promise.resolve() },
    queues: {
      add: (_queue: string, kind: string, job: { speculative?: boolean; revision: number }) => {
        jobs.push({ kind, speculative: job.speculative === true, revision: job.revision });
        return Promise.resolve();
      },
    },
    load: { overloaded: false, queueDepth: 0, interimIntervalFactor: 1 },
    metrics: { speculations: counter, stages: counter, interimsDropped: counter },
    verdicts: {
      decide: (_s: string, _u: string, revision: number, verdict: { kind: string }) => {
        verdicts.push(`${verdict.kind} ${revision}`);
        return Promise.resolve(verdict);
      },
    },
    offers: {
      watch: (utteranceId: string, revision: number, onOffer: (o: SpeculationOffer) => void) => {
        watches.set(`${utteranceId}|${revision}`, onOffer);
        return () => watches.delete(`${utteranceId}|${revision}`);
      },
    },
    speculation: { enabled: true, maxQueueDepth: 16 },
    turnMinConfidence: 0.5,
    turnAudio: {
      threshold: 0.5,
      signal:
        audioProbability === undefined
          ? undefined
          : {
              probability: (pcm: Int16Array) => {
                heard.push(pcm.length);
                return Promise.resolve(audioProbability);
              },
            },
    },
    interimIntervalMs: 500,
  } as unknown as PipelineDeps;
  const pipeline = new UtterancePipeline(
    's1',
    segmenter,
    deps,
    {
      config: () => defaultSessionConfig(16000),
      send: () => undefined,
      expectFinal: () => undefined,
      turn: (frame) => turns.push(frame),
    },
    timing,
  );
  const step = async (...events: SegmenterEvent[]) => {
    script.push(events);
    await pipeline.push(audio);
    await pipeline.finalize('finalize'); // waits for the pipeline's Redis work (no events here)
  };
  /** A worker's offer arrives; resolves once the pipeline has judged it. */
  const offer = async (text: string) => {
    const [id, watch] = [...watches.entries()][0] ?? [];
    if (!id || !watch) throw new Error('no speculation is being watched');
    const [utteranceId, revision] = id.split('|');
    watch({ utteranceId, revision: Number(revision), text, language: 'en' });
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { pipeline, step, offer, heard, silentEnd, thresholds, jobs, verdicts, turns, watches };
}

describe('UtterancePipeline, semantic turns (in-memory fakes)', () => {
  it('ends a complete turn after the short silence and confirms its speculation', async () => {
    const h = harness();
    await h.step(speech, speculative);
    expect(h.jobs).toEqual([{ kind: 'final', speculative: true, revision: 1 }]);
    await h.offer('I would like a table for four people.');
    expect(h.turns).toEqual([
      {
        type: 'turn',
        event: 'eager_end_of_turn',
        index: 1,
        text: 'I would like a table for four people.',
      },
    ]);
    expect(h.thresholds).toEqual([0.25]);
    await h.step(final(true));
    expect(h.verdicts).toEqual(['confirm 1']);
    expect(h.jobs).toHaveLength(1);
    expect(h.turns.at(-1)).toEqual({
      type: 'turn',
      event: 'end_of_turn',
      index: 1,
      trigger: 'model',
    });
    expect(h.thresholds).toEqual([0.25, 1.5]);
    expect(h.watches.size).toBe(0);
  });

  it('ends a complete turn at its offer when the silence already reached the short threshold', async () => {
    const h = harness();
    await h.step(speech, speculative);
    h.silentEnd.push([final(true)]);
    await h.offer('Thank you.');
    await h.pipeline.finalize('finalize');
    expect(h.verdicts).toEqual(['confirm 1']);
    expect(h.turns.map((t) => `${t.event} ${t.trigger ?? ''}`.trim())).toEqual([
      'eager_end_of_turn',
      'end_of_turn model',
    ]);
    expect(h.thresholds).toEqual([0.25, 1.5]);
  });

  it('keeps waiting on an incomplete turn: no eager end, the threshold stays long', async () => {
    const h = harness();
    await h.step(speech, speculative);
    await h.offer('I would like a table for');
    expect(h.turns).toEqual([]);
    await h.step({ type: 'speculation-cancelled', utterance: 0 });
    expect(h.verdicts).toEqual(['cancel 1']);
    expect(h.thresholds).toEqual([]);
    await h.step(final(false));
    expect(h.turns).toEqual([{ type: 'turn', event: 'end_of_turn', index: 1, trigger: 'timeout' }]);
  });

  it('says turn_resumed when speech comes back after an eager end, and raises the threshold again', async () => {
    const h = harness();
    await h.step(speech, speculative);
    await h.offer('Thanks.');
    await h.step({ type: 'speculation-cancelled', utterance: 0 });
    expect(h.turns.map((t) => t.event)).toEqual(['eager_end_of_turn', 'turn_resumed']);
    expect(h.thresholds).toEqual([0.25, 1.5]);
    expect(h.verdicts).toEqual(['cancel 1']);
  });

  it('with an audio model, the voice decides a turn the words leave open', async () => {
    const falling = harness(SEMANTIC, 0.9);
    await falling.step(speech, speculative);
    await falling.offer('that is all');
    // The model heard the speculation's audio; its 0.9 ends the unpunctuated turn.
    expect(falling.heard).toEqual([speculative.audio.length]);
    expect(falling.turns.map((t) => t.event)).toEqual(['eager_end_of_turn']);
    const rising = harness(SEMANTIC, 0.1);
    await rising.step(speech, speculative);
    await rising.offer('That is all.');
    expect(rising.turns).toEqual([]);
    expect(rising.thresholds).toEqual([]);
    // Words that continue keep it open whatever the voice says.
    const words = harness(SEMANTIC, 0.9);
    await words.step(speech, speculative);
    await words.offer('a table for');
    expect(words.turns).toEqual([]);
  });

  it('ignores an offer that arrives after speech came back', async () => {
    const h = harness();
    await h.step(speech, speculative);
    const [[, watch]] = [...h.watches.entries()];
    await h.step({ type: 'speculation-cancelled', utterance: 0 });
    watch({ utteranceId: 's1:1', revision: 1, text: 'Done.', language: 'en' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.turns).toEqual([]);
    expect(h.thresholds).toEqual([]);
  });

  it('reports a finalize as a manual end of turn', async () => {
    const h = harness();
    await h.step(speech, final(false, 'finalize'));
    expect(h.turns).toEqual([{ type: 'turn', event: 'end_of_turn', index: 1, trigger: 'manual' }]);
  });

  it('in silence mode watches no offers and sends no turn frames', async () => {
    const h = harness({ ...SEMANTIC, mode: 'silence' });
    await h.step(speech, speculative);
    expect(h.watches.size).toBe(0);
    await h.step(final(true));
    expect(h.turns).toEqual([]);
    expect(h.verdicts).toEqual(['confirm 1']);
  });

  it('switching modes sets the resting threshold of the new mode', () => {
    const h = harness({ ...SEMANTIC, mode: 'silence' });
    h.pipeline.setTurnTiming(SEMANTIC);
    h.pipeline.setTurnTiming({ ...SEMANTIC, mode: 'silence', silenceMs: 800 });
    expect(h.thresholds).toEqual([1.5, 0.8]);
  });
});
