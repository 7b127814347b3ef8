import { UnrecoverableError } from 'bullmq';
import { drainWithin, failsForGood } from './worker.factory';

describe('drainWithin', () => {
  it('reports finished when the workers close before the deadline, without handing back', async () => {
    const handBack = jest.fn(() => Promise.resolve());
    const closing = new Promise((resolve) => setTimeout(resolve, 5));
    await expect(drainWithin(closing, 1000, handBack)).resolves.toBe('finished');
    expect(handBack).not.toHaveBeenCalled();
  });

  it('hands the jobs back once the deadline passes with a job still running', async () => {
    const handBack = jest.fn(() => Promise.resolve());
    const never = new Promise(() => undefined);
    await expect(drainWithin(never, 20, handBack)).resolves.toBe('handed_back');
    expect(handBack).toHaveBeenCalledTimes(1);
  });
});

describe('failsForGood', () => {
  it('is true after the last attempt or for an unrecoverable error, false while a retry follows', () => {
    const error = new Error('boom');
    expect(failsForGood(error, { attemptsMade: 0, opts: { attempts: 3 } })).toBe(false);
    expect(failsForGood(error, { attemptsMade: 2, opts: { attempts: 3 } })).toBe(true);
    expect(failsForGood(error, { attemptsMade: 0, opts: {} })).toBe(true);
    expect(
      failsForGood(new UnrecoverableError('bad'), { attemptsMade: 0, opts: { attempts: 3 } }),
    ).toBe(true);
  });
});
