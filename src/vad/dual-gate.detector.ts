import { SILERO_CHUNK_SAMPLES, type SileroVadStream } from './silero-vad.model';
import { type FrameVerdict, type SpeechDetector } from './speech-detector';
import { type WebRtcVad } from './webrtc-vad';

/** Inside an utterance speech continues down to this much below the onset threshold (Silero's own hysteresis). */
const HYSTERESIS = 0.15;
/**
 * Silero's recurrent state carries what the background sounds like; started cold on speech it
 * under-rates quiet voices. So the frames WebRTC rejected are remembered, and when WebRTC fires
 * again Silero first catches up on (at most) this many of them, in order (256 ms).
 */
export const SILERO_CATCH_UP_FRAMES = 8;

const SILENCE: FrameVerdict = { speech: false };
const SPEECH: FrameVerdict = { speech: true };

export interface DualGateStats {
  frames: number;
  /** Chunks Silero evaluated (frames WebRTC passed on, plus catch-up frames). */
  sileroFrames: number;
  speechFrames: number;
}

/**
 * RealtimeSTT's dual gate: WebRTC VAD (cheap) decides whether a frame may be speech; only then
 * Silero (expensive) judges it. A frame is speech when both agree; silence when either says so.
 * Silero is skipped inside stretches WebRTC calls silence, except for a short catch-up before the
 * next frame WebRTC passes (see SILERO_CATCH_UP_FRAMES).
 */
export class DualGateDetector implements SpeechDetector {
  readonly frameSamples = SILERO_CHUNK_SAMPLES;
  readonly stats: DualGateStats = { frames: 0, sileroFrames: 0, speechFrames: 0 };
  private readonly skippedFrames = Array.from(
    { length: SILERO_CATCH_UP_FRAMES },
    () => new Int16Array(SILERO_CHUNK_SAMPLES),
  );
  /** Frames skipped since Silero last ran. */
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
      this.skippedFrame(this.skipped).set(frame);
      this.skipped++;
      return SILENCE;
    }
    const threshold = inSpeech
      ? Math.max(0, this.sileroThreshold - HYSTERESIS)
      : this.sileroThreshold;
    return this.judge(frame, threshold);
  }

  dispose(): void {
    this.webrtc.dispose();
  }

  /** The ring slot of the n-th skipped frame (the ring holds SILERO_CATCH_UP_FRAMES). */
  private skippedFrame(n: number): Int16Array {
    return this.skippedFrames[n % SILERO_CATCH_UP_FRAMES]!;
  }

  private async judge(frame: Int16Array, threshold: number): Promise<FrameVerdict> {
    const skipped = this.skipped;
    this.skipped = 0;
    if (skipped > SILERO_CATCH_UP_FRAMES) {
      // Too much unseen audio in between: start from a clean state on the most recent frames.
      this.silero.resetState();
    }
    const catchUp = Math.min(skipped, SILERO_CATCH_UP_FRAMES);
    for (let i = skipped - catchUp; i < skipped; i++) {
      this.stats.sileroFrames++;
      await this.silero.probability(this.skippedFrame(i));
    }
    this.stats.sileroFrames++;
    const p = await this.silero.probability(frame);
    if (p < threshold) return SILENCE;
    this.stats.speechFrames++;
    return SPEECH;
  }
}
