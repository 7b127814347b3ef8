import { judgeTurn, TurnJudgement, TurnJudgeOptions } from './turn-completeness';
import { endOfTurnSilenceMs, TurnTiming } from './turn-timing';

/**
 * The end of one utterance's turn, as a pure state machine. Times are milliseconds on one clock
 * (stream time or wall time, but the same for every input of a machine).
 *
 * Phases: `speaking` → (silence) `silent` → (speculative text) `eager` when the text may be
 * announced as the turn's end, else `pending` → `ended`. Speech that resumes before the end goes
 * back to `speaking` (an `eager` phase says `turn-resumed`). Every input first moves time to its
 * `at`, so a deadline that passed before it ends the turn before the input applies; callers need
 * not tick at the exact deadline (`endOfTurnDeadline` says when a tick would matter).
 *
 * `eager` means: in `semantic` mode, the text was judged complete; in `silence` mode, any text,
 * since it is what the final will say if the silence holds. Triggers: `model` when a complete
 * turn ends after the short silence (semantic mode), `timeout` when a silence ran its full wait
 * (always in `silence` mode), `manual` on `force-end`.
 */
export type EndOfTurnTrigger = 'model' | 'timeout' | 'manual';

export type EndOfTurnInput =
  | { type: 'silence-started'; at: number }
  /**
   * The speculative decode of the silence that started at `silenceStartedAt` (when given, a
   * speculation of an earlier silence is ignored). Only the first one per silence counts.
   */
  | {
      type: 'speculation';
      at: number;
      text: string;
      confidence?: number;
      language?: string;
      silenceStartedAt?: number;
    }
  | { type: 'speech-resumed'; at: number }
  | { type: 'force-end'; at: number }
  | { type: 'tick'; at: number };

export type EndOfTurnOutput =
  | { type: 'eager-end-of-turn'; text: string; judgement: TurnJudgement }
  | { type: 'turn-resumed' }
  | { type: 'end-of-turn'; trigger: EndOfTurnTrigger; at: number; text: string | undefined };

interface Judged {
  since: number;
  text: string;
  judgement: TurnJudgement;
}

export type EndOfTurnState =
  | { phase: 'speaking' }
  | { phase: 'silent'; since: number }
  | ({ phase: 'eager' } & Judged)
  | ({ phase: 'pending' } & Judged)
  | { phase: 'ended'; trigger: EndOfTurnTrigger; at: number };

export interface EndOfTurnContext {
  timing: TurnTiming;
  /** The session's language; a speculation's own `language` wins. */
  language: string | undefined;
  judge?: TurnJudgeOptions;
}

export interface EndOfTurnStep {
  state: EndOfTurnState;
  outputs: EndOfTurnOutput[];
}

export const INITIAL_END_OF_TURN_STATE: EndOfTurnState = { phase: 'speaking' };

/** When a `tick` would end the turn, or undefined while no silence is running. */
export function endOfTurnDeadline(state: EndOfTurnState, timing: TurnTiming): number | undefined {
  switch (state.phase) {
    case 'silent':
      return state.since + endOfTurnSilenceMs(timing, undefined);
    case 'eager':
    case 'pending':
      return state.since + endOfTurnSilenceMs(timing, state.judgement);
    default:
      return undefined;
  }
}

export function stepEndOfTurn(
  state: EndOfTurnState,
  input: EndOfTurnInput,
  context: EndOfTurnContext,
): EndOfTurnStep {
  const outputs: EndOfTurnOutput[] = [];
  let next = expire(state, input.at, context.timing, outputs);
  if (next.phase !== 'ended') {
    next = apply(next, input, context, outputs);
    next = expire(next, input.at, context.timing, outputs);
  }
  return { state: next, outputs };
}

function expire(
  state: EndOfTurnState,
  now: number,
  timing: TurnTiming,
  outputs: EndOfTurnOutput[],
): EndOfTurnState {
  const deadline = endOfTurnDeadline(state, timing);
  if (deadline === undefined || now < deadline) return state;
  const trigger: EndOfTurnTrigger =
    timing.mode === 'semantic' && state.phase === 'eager' ? 'model' : 'timeout';
  const text = state.phase === 'eager' || state.phase === 'pending' ? state.text : undefined;
  outputs.push({ type: 'end-of-turn', trigger, at: deadline, text });
  return { phase: 'ended', trigger, at: deadline };
}

function apply(
  state: Exclude<EndOfTurnState, { phase: 'ended' }>,
  input: EndOfTurnInput,
  context: EndOfTurnContext,
  outputs: EndOfTurnOutput[],
): EndOfTurnState {
  switch (input.type) {
    case 'silence-started':
      return state.phase === 'speaking' ? { phase: 'silent', since: input.at } : state;
    case 'speculation':
      return state.phase === 'silent' &&
        (input.silenceStartedAt === undefined || input.silenceStartedAt === state.since)
        ? judged(state.since, input, context, outputs)
        : state;
    case 'speech-resumed':
      if (state.phase === 'eager') outputs.push({ type: 'turn-resumed' });
      return { phase: 'speaking' };
    case 'force-end': {
      const text = state.phase === 'eager' || state.phase === 'pending' ? state.text : undefined;
      outputs.push({ type: 'end-of-turn', trigger: 'manual', at: input.at, text });
      return { phase: 'ended', trigger: 'manual', at: input.at };
    }
    case 'tick':
      return state;
  }
}

function judged(
  since: number,
  speculation: Extract<EndOfTurnInput, { type: 'speculation' }>,
  context: EndOfTurnContext,
  outputs: EndOfTurnOutput[],
): EndOfTurnState {
  const text = speculation.text.trim();
  const judgement = judgeTurn(
    {
      text,
      language: speculation.language ?? context.language,
      confidence: speculation.confidence,
    },
    context.judge,
  );
  const eager =
    context.timing.mode === 'semantic'
      ? judgement.verdict === 'complete'
      : !(judgement.verdict === 'incomplete' && judgement.reason === 'empty');
  if (!eager) return { phase: 'pending', since, text, judgement };
  outputs.push({ type: 'eager-end-of-turn', text, judgement });
  return { phase: 'eager', since, text, judgement };
}
