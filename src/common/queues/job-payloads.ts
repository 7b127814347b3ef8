import { QueueName } from './queue-names';

export type UtteranceKind = 'interim' | 'final';

/** An audio segment to transcribe. The audio itself is binary PCM16 in Redis under `audioKey`. */
export interface SttJob {
  sessionId: string;
  /** Stable id of the utterance, unique within the service: `${sessionId}:${index}`. */
  utteranceId: string;
  /** 1-based position of the utterance in its session; finals are delivered in this order. */
  index: number;
  kind: UtteranceKind;
  /** Increases with every interim snapshot of one utterance; the final has the highest. */
  revision: number;
  audioKey: string;
  sampleRate: 16000;
  /** Seconds from stream start. */
  startSec: number;
  endSec: number;
  /** ISO 639-1 code, or 'auto' to detect. */
  language: string;
  task: 'transcribe' | 'translate';
  /** Target languages for the translation role (finals only). */
  targets: string[];
  interimTranslations: boolean;
  /** Where the VAD heard speech begin and end (seconds from stream start), when known. */
  speechStartSec?: number;
  speechEndSec?: number;
  /** Epoch ms when the gateway enqueued the job; used for stage latencies. */
  enqueuedAt: number;
  /** Epoch ms when the utterance ended (last voiced frame + silence), for end-to-end latency. */
  utteranceEndedAt?: number;
  /**
   * A final started before the silence threshold passed: its result is written only once the
   * gateway confirms it (SpeculationVerdictsService), and dropped when cancelled.
   */
  speculative?: boolean;
  /**
   * Uploaded files (src/openai-api): the caller's prompt replaces the session's previous text,
   * so segments transcribed in parallel do not depend on each other's order.
   */
  prompt?: string;
  /** Word timings in the final even when WORD_TIMESTAMPS is off. */
  wordTimings?: boolean;
  /** Per-segment detail (tokens, log probability, ...) in the final (FinalResult.segments). */
  segmentDetail?: boolean;
  /** Sampling temperature of the first decode, 0 to 1 (uploads; default 0). */
  temperature?: number;
  /** A segment of an uploaded file: it waits behind live speech for a whisper context. */
  upload?: boolean;
}

/** A transcript to translate into one or more languages. */
export interface TranslationJob {
  sessionId: string;
  utteranceId: string;
  index: number;
  kind: UtteranceKind;
  revision: number;
  text: string;
  /** ISO 639-1 code of the text. */
  source: string;
  targets: string[];
  enqueuedAt: number;
  /** Set for LibreTranslate-compatible HTTP requests, whose answer goes to a reply key instead. */
  replyKey?: string;
  /** `html` (HTTP requests only): keep the markup, translate the prose. Plain text when absent. */
  format?: 'text' | 'html';
}

export interface JobPayloads {
  [QueueName.Stt]: SttJob;
  [QueueName.SttUpload]: SttJob;
  [QueueName.Translation]: TranslationJob;
}
