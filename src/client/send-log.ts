/**
 * When each piece of audio left the client, so that a final's `end` (seconds from stream start)
 * can be turned into the wall-clock time its last audio was sent: the start of the wait for it.
 */
export class SendLog {
  private readonly ends: number[] = [];
  private readonly times: number[] = [];

  record(endSec: number, sentAt: number): void {
    this.ends.push(endSec);
    this.times.push(sentAt);
  }

  /** When the audio up to `sec` had been sent; undefined before anything was sent. */
  sentAt(sec: number): number | undefined {
    const last = this.ends.at(-1);
    if (last === undefined) return undefined;
    let lo = 0;
    let hi = this.ends.length - 1;
    if (sec >= last) return this.times[hi];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      // lo <= mid < hi: inside the log.
      if (this.ends[mid]! >= sec) hi = mid;
      else lo = mid + 1;
    }
    return this.times[lo];
  }
}
