/** Turn detection: when a silence ends a turn. Pure; see README.md here. */
export {
  DEFAULT_TURN_MIN_CONFIDENCE,
  judgeTurn,
  type TurnCandidate,
  type TurnIncompleteReason,
  type TurnJudgement,
  type TurnJudgeOptions,
} from './turn-completeness';
export { TURN_WORDS, turnWord, turnWordsFor, type TurnWords } from './turn-words';
export {
  DEFAULT_TURN_MAX_SILENCE_MS,
  DEFAULT_TURN_MIN_SILENCE_MS,
  DEFAULT_TURN_MODE,
  DEFAULT_TURN_TIMING,
  endOfTurnSilenceMs,
  TURN_MODES,
  turnTimingProblem,
  type TurnMode,
  type TurnTiming,
} from './turn-timing';
export {
  EAGERNESS_FACTORS,
  realtimeTurnTiming,
  type RealtimeTurnDetectionChoice,
  type SemanticVadEagerness,
} from './realtime-turn-detection';
export {
  endOfTurnDeadline,
  INITIAL_END_OF_TURN_STATE,
  stepEndOfTurn,
  type EndOfTurnContext,
  type EndOfTurnInput,
  type EndOfTurnOutput,
  type EndOfTurnState,
  type EndOfTurnStep,
  type EndOfTurnTrigger,
} from './end-of-turn-machine';
