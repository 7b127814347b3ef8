import { SerialFlusher } from './serial-flusher';

describe('SerialFlusher', () => {
  it('runs one pass at a time and coalesces calls made meanwhile into one more pass', async () => {
    let passes = 0;
    let release!: () => void;
    const flusher = new SerialFlusher(async () => {
      passes++;
      await new Promise<void>((resolve) => (release = resolve));
    });
    const first = flusher.flush();
    const second = flusher.flush();
    const third = flusher.flush();
    expect(second).toBe(third);
    expect(passes).toBe(1);
    release();
    await first;
    await new Promise((r) => setImmediate(r));
    expect(passes).toBe(2);
    release();
    await second;
    expect(flusher.inProgress()).toBeUndefined();
  });
});
