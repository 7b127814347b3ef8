import { ConfigError } from './env-parsers';
import { readSttParallelism } from './stt-parallelism';

describe('readSttParallelism', () => {
  it.each([
    [1, 1, 1],
    [2, 2, 1],
    [3, 3, 1],
    [8, 8, 1],
    [16, 8, 2],
    [20, 8, 2],
  ])('splits %d cores into %d contexts of %d threads by default', (cores, poolSize, threads) => {
    expect(readSttParallelism({}, cores)).toEqual({ poolSize, threads });
  });

  it('divides the cores by whichever of the two is set', () => {
    expect(readSttParallelism({ STT_POOL_SIZE: '4' }, 8)).toEqual({ poolSize: 4, threads: 2 });
    expect(readSttParallelism({ STT_POOL_SIZE: '4' }, 2)).toEqual({ poolSize: 4, threads: 1 });
    expect(readSttParallelism({ WHISPER_THREADS: '1' }, 4)).toEqual({ poolSize: 4, threads: 1 });
    expect(readSttParallelism({ WHISPER_THREADS: '8' }, 4)).toEqual({ poolSize: 1, threads: 8 });
    expect(readSttParallelism({ STT_POOL_SIZE: '3', WHISPER_THREADS: '5' }, 2)).toEqual({
      poolSize: 3,
      threads: 5,
    });
  });

  it('rejects values out of range', () => {
    expect(() => readSttParallelism({ STT_POOL_SIZE: '0' }, 2)).toThrow(ConfigError);
    expect(() => readSttParallelism({ WHISPER_THREADS: '1.5' }, 2)).toThrow(ConfigError);
  });
});
