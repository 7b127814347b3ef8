/** What a detector says about one frame of audio. */
export interface FrameVerdict {
  /** The frame counts as speech (the detector applies its own thresholds and hysteresis). */
  readonly speech: boolean;
}

/**
 * Classifies fixed-size frames of one stream, in order. Stateful (one per stream).
 * The segmenter only depends on this interface, so its logic is testable without ONNX.
 */
export interface SpeechDetector {
  /** Samples per frame at 16 kHz. */
  readonly frameSamples: number;
  /**
   * @param frame exactly `frameSamples` samples, following the previous frame.
   * @param inSpeech whether the segmenter is inside an utterance (detectors may use a lower
   *   threshold to keep speech going than to start it).
   */
  classify(frame: Int16Array, inSpeech: boolean): FrameVerdict | Promise<FrameVerdict>;
  /** Releases native or wasm resources. The detector is unusable afterwards. */
  dispose(): void;
}
