import type { TurnFrame, WordTiming } from '../../../contracts/stream-frames';
import {
  type FluxEndOfTurnTrigger,
  type FluxTurn,
  type FluxTurnEventOf,
} from './flux-server-messages';

/**
 * What the session tells a Flux connection about its turns, in its own order. Times are stream
 * seconds; `atSec` is how much audio the session has decoded so far.
 */
export type FluxTurnInput =
  | { type: 'speech-started'; atSec: number }
  | { type: 'interim'; index: number; text: string; atSec: number }
  | { type: 'turn'; frame: TurnFrame; atSec: number }
  | {
      type: 'final';
      index: number;
      text: string;
      start: number;
      end: number;
      words: readonly WordTiming[];
      language: string;
      fromFinalize: boolean;
    }
  /** The utterance's final was replaced by an error: its turn is over without an EndOfTurn. */
  | { type: 'lost'; index: number };

export interface FluxTurnSettings {
  /** `eager_eot_threshold` is set: EagerEndOfTurn and TurnResumed are sent. */
  eager: boolean;
  /** flux-general-multi: EndOfTurn reports the final's language. */
  multilingual: boolean;
  languageHints: readonly string[];
}

export interface FluxTurnOutput {
  event: FluxTurnEventOf;
  turn: FluxTurn;
}

interface TurnState {
  start: number;
  end: number;
  transcript: string;
  /** The judge found the turn complete and speech has not resumed since. */
  complete: boolean;
  /** An EagerEndOfTurn went out and no TurnResumed after it. */
  eagerSent: boolean;
  trigger?: FluxEndOfTurnTrigger;
}

/**
 * The TurnInfo events of one connection. A Flux turn is one utterance of the session: turn_index
 * is the utterance's index less one (indices count from 1 in a session, and each speech start
 * opens the next one). The judge is yes/no, so end_of_turn_confidence is 1 while the turn is
 * judged complete (EagerEndOfTurn, EndOfTurn by `model`) and 0 otherwise. A slow final may put
 * the next turn's StartOfTurn before this turn's EndOfTurn.
 */
export class FluxTurns {
  private readonly turns = new Map<number, TurnState>();
  private started = 0;

  constructor(private settings: FluxTurnSettings) {}

  /** After a Configure (which may set eager_eot_threshold), from the next event on. */
  configure(settings: FluxTurnSettings): void {
    this.settings = settings;
  }

  step(input: FluxTurnInput): FluxTurnOutput | undefined {
    switch (input.type) {
      case 'speech-started': {
        const turnIndex = this.started;
        const state = this.open(turnIndex, input.atSec)!;
        return this.output({ event: 'StartOfTurn' }, turnIndex, state);
      }
      case 'interim': {
        const turnIndex = input.index - 1;
        const state = this.open(turnIndex, input.atSec);
        if (!state) return undefined;
        state.transcript = input.text;
        state.end = Math.max(state.end, input.atSec);
        return this.output({ event: 'Update' }, turnIndex, state);
      }
      case 'turn':
        return this.turnFrame(input.frame, input.atSec);
      case 'final': {
        const turnIndex = input.index - 1;
        const state = this.turns.get(turnIndex);
        this.turns.delete(turnIndex);
        this.started = Math.max(this.started, turnIndex + 1);
        const trigger = state?.trigger ?? (input.fromFinalize ? 'manual' : 'timeout');
        return {
          event: { event: 'EndOfTurn', trigger },
          turn: {
            turnIndex,
            audioWindowStart: input.start,
            audioWindowEnd: input.end,
            transcript: input.text,
            words: input.words,
            endOfTurnConfidence: trigger === 'model' ? 1 : 0,
            ...(this.settings.multilingual && input.language
              ? { languages: [input.language] }
              : {}),
            ...this.hinted(),
          },
        };
      }
      case 'lost':
        this.turns.delete(input.index - 1);
        return undefined;
    }
  }

  private turnFrame(frame: TurnFrame, atSec: number): FluxTurnOutput | undefined {
    const turnIndex = frame.index - 1;
    const state = this.open(turnIndex, atSec);
    if (!state) return undefined;
    state.end = Math.max(state.end, atSec);
    switch (frame.event) {
      case 'eager_end_of_turn':
        state.complete = true;
        if (frame.text !== undefined) state.transcript = frame.text;
        if (!this.settings.eager) return undefined;
        state.eagerSent = true;
        return this.output({ event: 'EagerEndOfTurn' }, turnIndex, state);
      case 'turn_resumed':
        state.complete = false;
        if (!state.eagerSent) return undefined;
        state.eagerSent = false;
        return this.output({ event: 'TurnResumed' }, turnIndex, state);
      case 'end_of_turn':
        state.trigger = frame.trigger ?? 'timeout';
        return undefined;
    }
  }

  /**
   * The turn's state. A turn first heard of by its index (no speech start seen) opens here; one
   * below the turns started is over (late interims of an ended turn are dropped).
   */
  private open(turnIndex: number, atSec: number): TurnState | undefined {
    let state = this.turns.get(turnIndex);
    if (!state) {
      if (turnIndex < this.started) return undefined;
      state = { start: atSec, end: atSec, transcript: '', complete: false, eagerSent: false };
      this.turns.set(turnIndex, state);
      this.started = Math.max(this.started, turnIndex + 1);
    }
    return state;
  }

  private output(
    event: Exclude<FluxTurnEventOf, { event: 'EndOfTurn' }>,
    turnIndex: number,
    state: TurnState,
  ): FluxTurnOutput {
    return {
      event,
      turn: {
        turnIndex,
        audioWindowStart: state.start,
        audioWindowEnd: state.end,
        transcript: state.transcript,
        words: [],
        endOfTurnConfidence: state.complete ? 1 : 0,
        ...this.hinted(),
      },
    };
  }

  private hinted(): Pick<FluxTurn, 'languagesHinted'> {
    return this.settings.languageHints.length > 0
      ? { languagesHinted: this.settings.languageHints }
      : {};
  }
}
