import { audioCtxFor, FULL_AUDIO_CTX } from './audio-ctx';

describe('audioCtxFor', () => {
  it.each([
    [0.5, 128],
    [1, 128],
    [2, 192],
    [5, 320],
    [10, 576],
    [28, 1472],
    [29, 0],
    [30, 0],
    [45, 0],
  ])('%p s of audio -> %p frames', (seconds, frames) => {
    expect(audioCtxFor(seconds, 'auto')).toBe(frames);
  });

  it('covers the audio plus its margin, in 20 ms frames', () => {
    for (const seconds of [0.3, 1.7, 3.3, 7.9, 14.2, 22]) {
      const ctx = audioCtxFor(seconds, 'auto');
      expect(ctx).toBeGreaterThanOrEqual(Math.ceil((seconds + 1) * 50));
      expect(ctx).toBeLessThan(FULL_AUDIO_CTX);
      expect(ctx % 64).toBe(0);
    }
  });

  it('full mode and odd input use whisper default (0 = 30 s)', () => {
    expect(audioCtxFor(2, 'full')).toBe(0);
    expect(audioCtxFor(0, 'auto')).toBe(0);
    expect(audioCtxFor(Number.NaN, 'auto')).toBe(0);
  });
});
