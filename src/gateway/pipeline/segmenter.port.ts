import type { SegmenterEvent } from '../../vad';

/**
 * What the gateway needs from src/vad: one segmenter per stream, fed 16 kHz PCM16, emitting
 * utterance events (src/vad's own event type, defined once there). VadService.createSegmenter()
 * provides it; the gateway module binds it to SEGMENTER_FACTORY so the pipeline depends only on
 * this shape.
 */
export type { SegmenterEvent };

export interface Segmenter {
  push(pcm16k: Int16Array): Promise<SegmenterEvent[]>;
  finalize(reason?: 'finalize' | 'close'): Promise<SegmenterEvent[]>;
  /** Drops the open utterance without a final; resolves with its number (undefined: none). */
  discard(): Promise<number | undefined>;
  /** Changes the silence that ends an utterance, for this stream. */
  setSilenceThreshold(seconds: number): void;
  /** Ends the open utterance now if its silence already reaches the threshold. */
  endIfSilent(): Promise<SegmenterEvent[]>;
  dispose(): void;
}

export interface SegmenterFactory {
  /** `silenceThresholdSeconds` overrides SILENCE_THRESHOLD_SECONDS for this stream. */
  create(options: { emitInterims: boolean; silenceThresholdSeconds?: number }): Segmenter;
}

export const SEGMENTER_FACTORY = Symbol('SEGMENTER_FACTORY');
