/** Messages that workers write to a session's result stream and gateways forward to the client. */
// The same shapes go out to clients in `final` frames: they are defined with the frames.
import type { StageLatencies, WordTiming } from '../../contracts/stream-frames';
export type { StageLatencies, WordTiming };

export interface FinalResult {
  type: 'final';
  utteranceId: string;
  index: number;
  text: string;
  language: string;
  languageProbability?: number;
  start: number;
  end: number;
  /** Where the VAD heard the speech begin and end (`start`/`end` include padding). */
  speechStart?: number;
  speechEnd?: number;
  words: WordTiming[];
  latency: StageLatencies;
  worker: string;
}

export interface InterimResult {
  type: 'interim';
  utteranceId: string;
  index: number;
  revision: number;
  /** committed + ' ' + tentative. */
  text: string;
  /** Words two consecutive interims agreed on (LocalAgreement-2): they will not change. */
  committed?: string;
  /** The rest, which the next interim may still revise. */
  tentative?: string;
  language: string;
  worker: string;
}

export interface TranslationResult {
  type: 'translation';
  utteranceId: string;
  index: number;
  kind: 'final' | 'interim';
  language: string;
  source: string;
  text: string;
  /** True when source and target were the same language and the text passed through. */
  passthrough: boolean;
  engine: string;
  latencyMs: number;
}

export interface ErrorResult {
  type: 'error';
  code: string;
  message: string;
  utteranceId?: string;
  index?: number;
  retryable?: boolean;
}

export interface WarningResult {
  type: 'warning';
  code: string;
  message: string;
}

export type ResultMessage =
  FinalResult | InterimResult | TranslationResult | ErrorResult | WarningResult;
