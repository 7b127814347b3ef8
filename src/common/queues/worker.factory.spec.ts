import { drainWithin } from './worker.factory';

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
