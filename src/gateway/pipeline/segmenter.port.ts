/**
 * What the gateway needs from src/vad: one segmenter per stream, fed 16 kHz PCM16, emitting
 * utterance events. VadService.createSegmenter() provides it; the gateway module binds it to
 * SEGMENTER_FACTORY so the pipeline depends only on this shape.
 */
export type SegmenterEvent =
  | { type: 'speech-start'; utterance: number; atSec: number }
  | { type: 'interim'; utterance: number; audio: Int16Array; startSec: number; endSec: number }
  | {
      /** The final's audio, offered early at the first silence (see UtterancePipeline). */
      type: 'speculative';
      utterance: number;
      audio: Int16Array;
      startSec: number;
      endSec: number;
      speechStartSec?: number;
      speechEndSec?: number;
    }
  /** Speech came back: the last speculative event of the utterance is void. */
  | { type: 'speculation-cancelled'; utterance: number }
  | {
      type: 'final';
      utterance: number;
      audio: Int16Array;
      startSec: number;
      endSec: number;
      reason: string;
      /** Where the VAD heard speech begin and end. */
      speechStartSec?: number;
      speechEndSec?: number;
      /** The last speculative event of this utterance had exactly this audio. */
      speculated?: boolean;
    };

export interface Segmenter {
  push(pcm16k: Int16Array): Promise<SegmenterEvent[]>;
  finalize(reason?: 'finalize' | 'close'): Promise<SegmenterEvent[]>;
  /** Drops the open utterance without a final; resolves with its number (undefined: none). */
  discard(): Promise<number | undefined>;
  /** Changes the silence that ends an utterance, for this stream. */
  setSilenceThreshold(seconds: number): void;
  dispose(): void;
}

export interface SegmenterFactory {
  /** `silenceThresholdSeconds` overrides SILENCE_THRESHOLD_SECONDS for this stream. */
  create(options: { emitInterims: boolean; silenceThresholdSeconds?: number }): Segmenter;
}

export const SEGMENTER_FACTORY = Symbol('SEGMENTER_FACTORY');
