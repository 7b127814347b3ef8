/**
 * PCM16 ring buffer addressed by absolute sample index (samples since stream start). Writing past
 * the capacity overwrites the oldest samples; the capacity only changes through grow(), which the
 * owner calls up to its own bound.
 */
export class PcmRingBuffer {
  private data: Int16Array;
  private written = 0;
  /** After grow(), slots before this index hold nothing real yet. */
  private validFrom = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0) {
      throw new RangeError(`PcmRingBuffer capacity must be a positive integer, got ${capacity}`);
    }
    this.data = new Int16Array(capacity);
  }

  get capacity(): number {
    return this.data.length;
  }

  /** Enlarges the buffer, keeping every held sample at its absolute index. */
  grow(capacity: number): void {
    if (!Number.isInteger(capacity) || capacity <= this.capacity) {
      throw new RangeError(`PcmRingBuffer.grow: ${capacity} is not above ${this.capacity}`);
    }
    this.validFrom = this.start;
    const held = this.read(this.validFrom, this.written);
    this.data = new Int16Array(capacity);
    const offset = (this.written - held.length) % capacity;
    const first = Math.min(held.length, capacity - offset);
    this.data.set(held.subarray(0, first), offset);
    if (first < held.length) this.data.set(held.subarray(first), 0);
  }

  /** Absolute index one past the newest sample (= samples written so far). */
  get end(): number {
    return this.written;
  }

  /** Absolute index of the oldest sample still held. */
  get start(): number {
    return Math.max(this.validFrom, this.written - this.capacity);
  }

  write(samples: Int16Array): void {
    let src = samples;
    // Only the last `capacity` samples can survive.
    if (src.length > this.capacity) {
      this.written += src.length - this.capacity;
      src = src.subarray(src.length - this.capacity);
    }
    const offset = this.written % this.capacity;
    const first = Math.min(src.length, this.capacity - offset);
    this.data.set(src.subarray(0, first), offset);
    if (first < src.length) this.data.set(src.subarray(first), 0);
    this.written += src.length;
  }

  /** Copy of samples [from, to) (absolute indices). Throws if the range is no longer (or not yet) held. */
  read(from: number, to: number): Int16Array {
    const out = new Int16Array(Math.max(0, to - from));
    this.copyInto(from, to, out);
    return out;
  }

  /** Copies samples [from, to) into target[0, to - from) without allocating. */
  copyInto(from: number, to: number, target: Int16Array): void {
    if (!Number.isInteger(from) || !Number.isInteger(to) || from > to) {
      throw new RangeError(`PcmRingBuffer.read: bad range [${from}, ${to})`);
    }
    if (from < this.start || to > this.written) {
      throw new RangeError(
        `PcmRingBuffer.read: [${from}, ${to}) outside the held range [${this.start}, ${this.written})`,
      );
    }
    if (target.length < to - from) {
      throw new RangeError(`PcmRingBuffer.copyInto: target holds ${target.length} < ${to - from}`);
    }
    const out = target;
    const n = to - from;
    const offset = from % this.capacity;
    const first = Math.min(n, this.capacity - offset);
    out.set(this.data.subarray(offset, offset + first), 0);
    if (first < n) out.set(this.data.subarray(0, n - first), first);
  }
}
