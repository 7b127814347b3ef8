import { type WordTiming } from '../../../contracts/result-messages';
import { type FluxOptions } from './flux-options';

/**
 * The messages a Flux server sends (`@deepgram/sdk` v5 `listen.v2` types them; a spec keeps
 * these in step). Every one carries `sequence_id`: 0 for the first message of a connection, one
 * more for each message after it, whatever its type; the adapter counts, the builders take it.
 * Times are stream seconds, rounded to the millisecond.
 */
export interface FluxConnected {
  type: 'Connected';
  request_id: string;
  sequence_id: number;
}

export type FluxTurnEvent =
  'StartOfTurn' | 'Update' | 'EagerEndOfTurn' | 'TurnResumed' | 'EndOfTurn';

/** Why a turn ended: Flux's own detection, `eot_timeout_ms`, or a `ForceEndTurn`. */
export type FluxEndOfTurnTrigger = 'model' | 'timeout' | 'manual';

export interface FluxWord {
  /** Punctuated and cased, as in the transcript. */
  word: string;
  confidence: number;
  start: number;
  end: number;
}

export interface FluxTurnInfo {
  type: 'TurnInfo';
  request_id: string;
  sequence_id: number;
  event: FluxTurnEvent;
  turn_index: number;
  audio_window_start: number;
  audio_window_end: number;
  transcript: string;
  words: FluxWord[];
  end_of_turn_confidence: number;
  /** On EndOfTurn only. */
  trigger?: FluxEndOfTurnTrigger;
  /** flux-general-multi only: detected languages, most frequent first. */
  languages?: string[];
  /** When language hints are configured. */
  languages_hinted?: string[];
}

export interface FluxConfigureSuccess {
  type: 'ConfigureSuccess';
  request_id: string;
  sequence_id: number;
  thresholds: { eot_threshold: number; eager_eot_threshold?: number; eot_timeout_ms: number };
  keyterms: string[];
  language_hints?: string[];
}

export interface FluxConfigureFailure {
  type: 'ConfigureFailure';
  request_id: string;
  sequence_id: number;
}

export interface FluxError {
  type: 'Error';
  sequence_id: number;
  code: string;
  description: string;
}

export type FluxServerMessage =
  FluxConnected | FluxTurnInfo | FluxConfigureSuccess | FluxConfigureFailure | FluxError;

export interface FluxMessageContext {
  requestId: string;
  sequenceId: number;
}

/** A turn as the session knows it when an event is sent. */
export interface FluxTurn {
  turnIndex: number;
  /** The audio transcribed so far in this turn, stream seconds. */
  audioWindowStart: number;
  audioWindowEnd: number;
  transcript: string;
  words: readonly WordTiming[];
  /** 0-1: how sure the detector is that no more speech comes in this turn. */
  endOfTurnConfidence: number;
  languages?: readonly string[];
  languagesHinted?: readonly string[];
}

/** EndOfTurn names its trigger; no other event has one. */
export type FluxTurnEventOf =
  | { event: 'EndOfTurn'; trigger: FluxEndOfTurnTrigger }
  | { event: Exclude<FluxTurnEvent, 'EndOfTurn'> };

const seconds = (value: number): number => Math.round(value * 1000) / 1000;
const unit = (value: number): number => Math.round(Math.min(1, Math.max(0, value)) * 1000) / 1000;

export function fluxConnected(context: FluxMessageContext): FluxConnected {
  return { type: 'Connected', request_id: context.requestId, sequence_id: context.sequenceId };
}

/** Word confidence is whisper's token probability (0 when it gave none). */
export function fluxTurnInfo(
  event: FluxTurnEventOf,
  turn: FluxTurn,
  context: FluxMessageContext,
): FluxTurnInfo {
  const message: FluxTurnInfo = {
    type: 'TurnInfo',
    request_id: context.requestId,
    sequence_id: context.sequenceId,
    event: event.event,
    turn_index: turn.turnIndex,
    audio_window_start: seconds(turn.audioWindowStart),
    audio_window_end: seconds(Math.max(turn.audioWindowStart, turn.audioWindowEnd)),
    transcript: turn.transcript.trim(),
    words: turn.words
      .filter((w) => w.word.trim() !== '')
      .map((w) => ({
        word: w.word.trim(),
        confidence: unit(w.probability ?? 0),
        start: seconds(w.start),
        end: seconds(w.end),
      })),
    end_of_turn_confidence: unit(turn.endOfTurnConfidence),
  };
  if (event.event === 'EndOfTurn') message.trigger = event.trigger;
  if (turn.languages?.length) message.languages = [...turn.languages];
  if (turn.languagesHinted?.length) message.languages_hinted = [...turn.languagesHinted];
  return message;
}

/** Echoes the settings now in force. */
export function fluxConfigureSuccess(
  options: FluxOptions,
  context: FluxMessageContext,
): FluxConfigureSuccess {
  const message: FluxConfigureSuccess = {
    type: 'ConfigureSuccess',
    request_id: context.requestId,
    sequence_id: context.sequenceId,
    thresholds: { eot_threshold: options.eotThreshold, eot_timeout_ms: options.eotTimeoutMs },
    keyterms: [...options.keyterms],
  };
  if (options.eagerEotThreshold !== undefined) {
    message.thresholds.eager_eot_threshold = options.eagerEotThreshold;
  }
  if (options.model === 'flux-general-multi') message.language_hints = [...options.languageHints];
  return message;
}

export function fluxConfigureFailure(context: FluxMessageContext): FluxConfigureFailure {
  return {
    type: 'ConfigureFailure',
    request_id: context.requestId,
    sequence_id: context.sequenceId,
  };
}

export function fluxError(
  code: string,
  description: string,
  context: Pick<FluxMessageContext, 'sequenceId'>,
): FluxError {
  return { type: 'Error', sequence_id: context.sequenceId, code, description };
}
