import { loadConfig } from './load-config';
import { sttParallelism } from './stt-parallelism';
import { configErrorOf } from '../../../test/helpers/config-errors';

describe('sttParallelism', () => {
  const unset = { poolSize: undefined, threads: undefined };

  it.each([
    [1, 1, 1],
    [2, 2, 1],
    [3, 3, 1],
    [8, 8, 1],
    [16, 8, 2],
    [20, 8, 2],
  ])('splits %d cores into %d contexts of %d threads by default', (cores, poolSize, threads) => {
    expect(sttParallelism(unset, cores)).toEqual({ poolSize, threads });
  });

  it('divides the cores by whichever of the two is set', () => {
    expect(sttParallelism({ ...unset, poolSize: 4 }, 8)).toEqual({ poolSize: 4, threads: 2 });
    expect(sttParallelism({ ...unset, poolSize: 4 }, 2)).toEqual({ poolSize: 4, threads: 1 });
    expect(sttParallelism({ ...unset, threads: 1 }, 4)).toEqual({ poolSize: 4, threads: 1 });
    expect(sttParallelism({ ...unset, threads: 8 }, 4)).toEqual({ poolSize: 1, threads: 8 });
    expect(sttParallelism({ poolSize: 3, threads: 5 }, 2)).toEqual({ poolSize: 3, threads: 5 });
  });

  it('is what loadConfig gives STT_POOL_SIZE and WHISPER_THREADS', () => {
    expect(loadConfig({ STT_POOL_SIZE: '3', WHISPER_THREADS: '5' }).stt).toMatchObject({
      poolSize: 3,
      threads: 5,
    });
  });

  it('rejects values out of range', () => {
    expect(configErrorOf({ STT_POOL_SIZE: '0' })?.variable).toBe('STT_POOL_SIZE');
    expect(configErrorOf({ WHISPER_THREADS: '1.5' })?.variable).toBe('WHISPER_THREADS');
  });
});
