import { SILERO_CHUNK_SAMPLES, SileroVadStream } from './silero-vad.model';
import { FrameVerdict, SpeechDetector } from './speech-detector';
import { WebRtcVad } from './webrtc-vad';

/** Inside an utterance speech continues down to this much below the onset threshold (Silero's own hysteresis). */
const HYSTERESIS = 0.15;
/** After this many frames Silero did not see (~1 s), its recurrent state is stale: start fresh. */
const RESET_AFTER_SKIPPED = 32;

const SILENCE: FrameVerdict = { speech: false };
const SPEECH: FrameVerdict = { speech: true };

export interface DualGateStats {
  frames: number;
  /** Frames WebRTC passed on to Silero. */
  sileroFrames: number;
  speechFrames: number;
}

/**
 * RealtimeSTT's dual gate: WebRTC VAD (cheap) decides whether a frame may be speech; only then
 * Silero (expensive) judges it. A frame is speech when both agree; silence when either says so.
 */
export class DualGateDetector implements SpeechDetector {
  readonly frameSamples = SILERO_CHUNK_SAMPLES;
  readonly stats: DualGateStats = { frames: 0, sileroFrames: 0, speechFrames: 0 };
  private skipped = 0;

  constructor(
    private readonly webrtc: WebRtcVad,
    private readonly silero: SileroVadStream,
    private readonly sileroThreshold: number,
  ) {}

  classify(frame: Int16Array, inSpeech: boolean): FrameVerdict | Promise<FrameVerdict> {
    this.stats.frames++;
    const { voiced } = this.webrtc.process(frame);
    if (voiced === 0) {
      this.silero.skip(frame);
      if (++this.skipped === RESET_AFTER_SKIPPED) this.silero.resetState();
      return SILENCE;
    }
    this.skipped = 0;
    this.stats.sileroFrames++;
    const threshold = inSpeech
      ? Math.max(0, this.sileroThreshold - HYSTERESIS)
      : this.sileroThreshold;
    return this.silero.probability(frame).then((p) => {
      if (p < threshold) return SILENCE;
      this.stats.speechFrames++;
      return SPEECH;
    });
  }

  dispose(): void {
    this.webrtc.dispose();
  }
}
