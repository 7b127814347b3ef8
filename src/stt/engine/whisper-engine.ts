import { type PoolPriority } from './instance-pool';
/**
 * The injectable that turns 16 kHz mono PCM into timed text. Production binds WHISPER_ENGINE to
 * NativeWhisperEngine (whisper.cpp); tests that need words replace only this provider
 * (test/helpers/stt-double.ts).
 */
export const WHISPER_ENGINE = Symbol('WHISPER_ENGINE');

export interface TranscribeRequest {
  /** 16 kHz mono float samples in [-1, 1]. */
  pcm: Float32Array;
  /** ISO 639-1 code, or 'auto' to detect. */
  language: string;
  task: 'transcribe' | 'translate';
  /** 1 = greedy. */
  beamSize: number;
  initialPrompt?: string;
  /** Encoder context in 20 ms frames (0 = whisper's full 30 s). */
  audioCtx: number;
  /** Tokens per segment (0 = no limit). */
  maxTokens: number;
  /** Sampling temperature of the first decode (default 0: greedy/beam search). */
  temperature?: number;
  /** Retry at higher temperatures when decoding fails whisper's entropy/logprob checks. */
  temperatureFallback: boolean;
  noSpeechThreshold: number;
  wordTimestamps: boolean;
  /**
   * Asked once a model instance is free, just before inference: a job that waited for one may
   * have been superseded meanwhile (a newer interim, the final). False skips the inference with
   * an InferenceNotWanted error.
   */
  stillWanted?: () => Promise<boolean>;
}

/** The request's stillWanted said no once a model instance was free: nothing was run. */
export class InferenceNotWanted extends Error {
  constructor() {
    super('inference no longer wanted');
  }
}

export interface EngineToken {
  text: string;
  /** Whisper's vocabulary id (the native engine always sets it). */
  id?: number;
  /** Seconds from the start of the audio. */
  start: number;
  end: number;
  probability: number;
  /** Special tokens (timestamps, end of text, ...) carry no words. */
  special: boolean;
}

export interface EngineSegment {
  start: number;
  end: number;
  text: string;
  /** Probability that the segment has no speech (whisper's <|nospeech|> token). */
  noSpeechProb: number;
  tokens: EngineToken[];
}

export interface TranscribeResult {
  language: string;
  /** Set when the language was detected. */
  languageProbability?: number;
  segments: EngineSegment[];
  timings?: { encodeMs: number; decodeMs: number };
}

export interface EngineStatus {
  ready: boolean;
  /** Why the engine is not ready, e.g. which command fetches a missing model. */
  reason?: string;
  model?: string;
  instances: number;
  busy: number;
  /** Requests waiting for a free instance. */
  waiting: number;
}

export interface WhisperEngine {
  /** Runs when it can: waits for a free model instance (finals before interims). */
  transcribe(request: TranscribeRequest, priority: PoolPriority): Promise<TranscribeResult>;
  status(): EngineStatus;
}
