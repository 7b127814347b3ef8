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
export type { TurnMode, TurnTiming } from './turn-timing';
export {
  EAGERNESS_FACTORS,
  realtimeTurnTiming,
  type RealtimeTurnDetectionChoice,
  type SemanticVadEagerness,
} from './realtime-turn-detection';
export {
  judgeTurnWithAudio,
  type CombinedTurnJudgement,
  type TurnAudioSignal,
} from './turn-signals';
export {
  SMART_TURN_FRAMES,
  SMART_TURN_MEL_BINS,
  SMART_TURN_SECONDS,
  smartTurnInput,
} from './smart-turn-input';
