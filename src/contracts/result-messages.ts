/** Messages that workers write to a session's result stream and gateways forward to the client. */
// The same shapes go out to clients in `final` frames: they are defined with the frames.
import type { StageLatencies, WordTiming } from './stream-frames';
export type { StageLatencies, WordTiming };

/** One whisper segment of a final, as OpenAI's verbose_json describes segments. */
export interface SegmentDetail {
  /** Seconds from stream start. */
  start: number;
  end: number;
  text: string;
  /** Vocabulary ids of the segment's text tokens. */
  tokens: number[];
  /** Mean natural log of the text tokens' probabilities. */
  avgLogprob: number;
  /** UTF-8 length of the text over its zlib-compressed length (whisper's repetition check). */
  compressionRatio: number;
  noSpeechProb: number;
}

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
  /** Per whisper segment, only when the job asked for it (SttJob.segmentDetail). */
  segments?: SegmentDetail[];
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
