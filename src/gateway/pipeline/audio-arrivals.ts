import { PIPELINE_SAMPLE_RATE } from '../../audio/pipeline-rate';

/**
 * When each stretch of a session's 16 kHz audio arrived (epoch ms), so that a moment of the audio,
 * such as the end of speech the VAD reports in audio seconds, can be dated by the wall clock. Keeps
 * the last `keep` to `2 * keep` pushes: far more than the silence before a VAD decision.
 */
export class AudioArrivals {
  private ends: number[] = [];
  private times: number[] = [];
  /** Audio seconds before the first push kept. */
  private from = 0;
  private seconds = 0;

  constructor(private readonly keep = 4096) {}

  record(samples: number, at: number): void {
    this.seconds += samples / PIPELINE_SAMPLE_RATE;
    this.ends.push(this.seconds);
    this.times.push(at);
    // Trimmed by halves, not per push, so that a push stays O(1) on average.
    if (this.ends.length >= 2 * this.keep) {
      this.from = this.ends[this.ends.length - this.keep - 1]!;
      this.ends = this.ends.slice(-this.keep);
      this.times = this.times.slice(-this.keep);
    }
  }

  /** When the audio at `sec` arrived; undefined when it is older than what is kept, or not in yet. */
  arrivalOf(sec: number): number | undefined {
    const { ends } = this;
    const last = ends.at(-1);
    if (last === undefined || sec < this.from || sec > last) return undefined;
    let low = 0;
    let high = ends.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (ends[mid]! < sec) low = mid + 1;
      else high = mid;
    }
    return this.times[low];
  }
}
