import { UndeliveredFinals } from './undelivered-finals';

describe('UndeliveredFinals', () => {
  it('hands out an utterance end once', () => {
    const ends = new UndeliveredFinals();
    ends.record(3, { at: 1000, speechEndedAt: 900 });
    expect(ends.take(3)).toEqual({ at: 1000, speechEndedAt: 900 });
    expect(ends.take(3)).toBeUndefined();
    expect(ends.take(4)).toBeUndefined();
  });

  it('forgets the oldest ends past its bound', () => {
    const ends = new UndeliveredFinals();
    for (let index = 1; index <= 257; index++) ends.record(index, { at: index, speechEndedAt: 0 });
    expect(ends.take(1)).toBeUndefined();
    expect(ends.take(2)).toEqual({ at: 2, speechEndedAt: 0 });
    expect(ends.take(257)).toEqual({ at: 257, speechEndedAt: 0 });
  });
});
