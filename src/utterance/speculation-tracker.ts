import {
  stepUtterance,
  type UtteranceInput,
  type UtteranceState,
  type UtteranceStep,
} from './utterance-lifecycle';

/** What to do when an utterance's final comes from the segmenter. */
export type FinalPlan =
  /** Its speculation had exactly this audio: confirm it, enqueue nothing. */
  | { kind: 'confirm'; revision: number }
  /** Enqueue the final as usual, after cancelling the speculation that did not match, if any. */
  | { kind: 'enqueue'; cancel?: number };

export interface SpeculationLimits {
  /** Speculation configured at all (SPECULATIVE_SILENCE_SECONDS > 0). */
  enabled: boolean;
  /** No speculation while the stt queue is deeper than this. */
  maxQueueDepth: number;
}

/**
 * The speculative finals of one session: which utterance (by segmenter number) has one out, with
 * which revision. Each step goes through the utterance lifecycle table (utterance-lifecycle.ts),
 * so the gateway's side of the protocol is the table's; called in event order by the pipeline.
 * Utterances whose final is decided are forgotten (delivery follows them from there).
 */
export class SpeculationTracker {
  private readonly utterances = new Map<number, { state: UtteranceState; revision?: number }>();

  constructor(private readonly limits: SpeculationLimits) {}

  private state(utterance: number): UtteranceState {
    return this.utterances.get(utterance)?.state ?? 'revision';
  }

  /** Steps the utterance; a refused step is a bug in the caller's event order. */
  private step(utterance: number, input: UtteranceInput): UtteranceStep {
    const step = stepUtterance(this.state(utterance), input);
    if (!step.accepted && step.outcome === 'refused') {
      throw new Error(`utterance ${utterance} cannot take ${input} in state ${step.from}`);
    }
    return step;
  }

  /** The revision of the utterance's speculation while it is out and undecided. */
  pending(utterance: number): number | undefined {
    const entry = this.utterances.get(utterance);
    return entry?.state === 'speculated' ? entry.revision : undefined;
  }

  /** Whether a speculation offered now should be enqueued. */
  shouldStart(utterance: number, queueDepth: number): boolean {
    return (
      this.limits.enabled &&
      stepUtterance(this.state(utterance), 'speculate').accepted &&
      queueDepth <= this.limits.maxQueueDepth
    );
  }

  started(utterance: number, revision: number): void {
    if (this.step(utterance, 'speculate').accepted) {
      this.utterances.set(utterance, { state: 'speculated', revision });
    }
  }

  /** Speech came back: the revision to cancel, if one was out. */
  cancelled(utterance: number): number | undefined {
    const revision = this.utterances.get(utterance)?.revision;
    if (!this.step(utterance, 'speech_resumed').accepted) return undefined;
    // Cancelled takes the same gateway inputs as revision, the state of an untracked utterance:
    // forgetting it keeps discarded utterances from staying in the map.
    this.utterances.delete(utterance);
    return revision;
  }

  final(utterance: number, speculated: boolean): FinalPlan {
    const revision = this.utterances.get(utterance)?.revision;
    const state = this.state(utterance);
    this.utterances.delete(utterance);
    if (state !== 'speculated' || revision === undefined) return { kind: 'enqueue' };
    const step = stepUtterance(state, speculated ? 'threshold_passed' : 'final_differs');
    if (!step.accepted) return { kind: 'enqueue' };
    return step.effects.includes('decide_confirm')
      ? { kind: 'confirm', revision }
      : { kind: 'enqueue', cancel: revision };
  }

  /** Speculations still out as [utterance, revision] (the session is closing: cancel them). */
  drain(): [number, number][] {
    const out: [number, number][] = [];
    for (const [utterance, { revision }] of this.utterances) {
      const step = stepUtterance(this.state(utterance), 'session_closed');
      if (step.accepted && step.effects.includes('decide_cancel') && revision !== undefined) {
        out.push([utterance, revision]);
      }
    }
    this.utterances.clear();
    return out;
  }
}
