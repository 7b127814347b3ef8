import { PcmRingBuffer } from './pcm-ring-buffer';

const ramp = (from: number, n: number): Int16Array =>
  Int16Array.from({ length: n }, (_, i) => from + i);

describe('PcmRingBuffer', () => {
  it('returns what was written, by absolute index', () => {
    const ring = new PcmRingBuffer(10);
    ring.write(ramp(0, 4));
    ring.write(ramp(4, 3));
    expect(ring.start).toBe(0);
    expect(ring.end).toBe(7);
    expect(Array.from(ring.read(2, 6))).toEqual([2, 3, 4, 5]);
    expect(ring.read(3, 3)).toHaveLength(0);
  });

  it('wraps around and keeps only the newest `capacity` samples', () => {
    const ring = new PcmRingBuffer(10);
    for (let i = 0; i < 25; i += 5) ring.write(ramp(i, 5));
    expect(ring.start).toBe(15);
    expect(ring.end).toBe(25);
    expect(Array.from(ring.read(15, 25))).toEqual(Array.from(ramp(15, 10)));
    expect(Array.from(ring.read(18, 22))).toEqual([18, 19, 20, 21]);
  });

  it('takes a single write larger than its capacity', () => {
    const ring = new PcmRingBuffer(8);
    ring.write(ramp(0, 3));
    ring.write(ramp(3, 20));
    expect(ring.end).toBe(23);
    expect(ring.start).toBe(15);
    expect(Array.from(ring.read(15, 23))).toEqual(Array.from(ramp(15, 8)));
  });

  it('copies into a caller buffer without allocating', () => {
    const ring = new PcmRingBuffer(6);
    ring.write(ramp(0, 9));
    const target = new Int16Array(4);
    ring.copyInto(4, 8, target);
    expect(Array.from(target)).toEqual([4, 5, 6, 7]);
    expect(() => ring.copyInto(4, 9, target)).toThrow(/target holds 4/);
  });

  it('grows keeping every held sample at its absolute index', () => {
    const ring = new PcmRingBuffer(5);
    ring.write(ramp(0, 13)); // holds 8..12, wrapped
    ring.grow(9);
    expect(ring.capacity).toBe(9);
    expect(ring.start).toBe(8);
    expect(Array.from(ring.read(8, 13))).toEqual([8, 9, 10, 11, 12]);
    ring.write(ramp(13, 6));
    expect(ring.start).toBe(10);
    expect(Array.from(ring.read(10, 19))).toEqual(Array.from(ramp(10, 9)));
    expect(() => ring.grow(9)).toThrow(/not above 9/);
  });

  it('refuses ranges it no longer holds or has not received', () => {
    const ring = new PcmRingBuffer(5);
    ring.write(ramp(0, 8));
    expect(() => ring.read(2, 6)).toThrow(/outside the held range \[3, 8\)/);
    expect(() => ring.read(4, 9)).toThrow(RangeError);
    expect(() => ring.read(6, 5)).toThrow(/bad range/);
  });

  it('rejects a non-positive capacity', () => {
    expect(() => new PcmRingBuffer(0)).toThrow(RangeError);
    expect(() => new PcmRingBuffer(2.5)).toThrow(RangeError);
  });
});
