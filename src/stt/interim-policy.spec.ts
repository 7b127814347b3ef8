import { skipAsStale } from './interim-policy';

describe('skipAsStale', () => {
  it.each([
    ['interim', 3, 3, false, 'the newest snapshot'],
    ['interim', 2, 3, true, 'a newer snapshot exists'],
    ['interim', 3, 9, true, 'the final (highest revision) exists'],
    ['interim', 4, 3, false, 'newer than the mark (marked late)'],
    ['interim', 1, null, false, 'no mark (expired): compute rather than lose text'],
    ['final', 2, 5, false, 'finals are never skipped'],
    ['final', 5, 5, false, 'the final itself'],
  ] as const)('%s rev %d, latest %p -> skip %p (%s)', (kind, revision, latest, skip, _why) => {
    expect(skipAsStale(kind, revision, latest)).toBe(skip);
  });
});
