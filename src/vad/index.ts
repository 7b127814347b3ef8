/**
 * Voice activity detection and utterance segmentation (used by the gateway). See README.md here.
 *
 * ```ts
 * // Module wiring: import VadModule (needs the global ConfigModule).
 * constructor(private readonly vad: VadService) {}
 *
 * const seg = this.vad.createSegmenter({ sttSendIntervalSeconds: 0.5 }); // one per stream
 * for (const ev of await seg.push(pcm16k)) {                             // Int16Array, any length
 *   switch (ev.type) {
 *     case 'speech-start': break;           // ev.utterance, ev.atSec
 *     case 'interim': break;                // ev.audio (pre-speech + speech so far), ev.startSec/endSec
 *     case 'final': break;                  // ev.audio, ev.reason: silence|finalize|max-length|close
 *   }
 * }
 * await seg.finalize();         // client {"type":"finalize"}: ends the open utterance now
 * await seg.finalize('close');  // draining on close
 * seg.dispose();                // stream gone
 * ```
 *
 * - Input is 16 kHz mono PCM16 (resample first). Times are seconds from stream start.
 * - push()/finalize() calls run one after another in call order (no need to await between them);
 *   each resolves with the events it produced, in stream order.
 * - Every `speech-start` is followed by exactly one `final` with the same `utterance` number
 *   (unless `discard()` drops the utterance).
 */
export { VadModule } from './vad.module';
export { VadService } from './vad.service';
export { UtteranceSegmenter } from './utterance-segmenter';
export type { FinalReason, SegmenterEvent } from './utterance-segmenter';
export {
  DEFAULT_SEGMENTER_OPTIONS,
  resolveSegmenterOptions,
  segmenterOptionsFromConfig,
} from './segmenter-options';
export type { SegmenterOptions } from './segmenter-options';
export type { FrameVerdict, SpeechDetector } from './speech-detector';
export { PcmRingBuffer } from './pcm-ring-buffer';
export { DualGateDetector } from './dual-gate.detector';
export { SileroVadModel, SileroVadStream, sileroModelPath } from './silero-vad.model';
export { FvadWasm, WebRtcVad } from './webrtc-vad';
