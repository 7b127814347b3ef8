import { Logger } from '@nestjs/common';
import { SerialQueue } from './serial-queue';

/** A task that finishes when the test says so. */
function gate<T = void>() {
  let open!: (value: T) => void;
  let fail!: (error: Error) => void;
  const done = new Promise<T>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { done, open, fail };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('SerialQueue', () => {
  let logged: string[];
  beforeEach(() => {
    logged = [];
    jest
      .spyOn(Logger.prototype, 'error')
      .mockImplementation((message: unknown) => void logged.push(String(message)));
  });
  afterEach(() => jest.restoreAllMocks());

  it('runs tasks one at a time, in the order they were queued', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    const first = gate();
    queue.push(async () => {
      log.push('first starts');
      await first.done;
      log.push('first ends');
    });
    queue.push(() => Promise.resolve(void log.push('second')));
    const third = queue.run(() => log.push('third'));
    await flush();
    expect(log).toEqual(['first starts']);
    first.open();
    await third;
    expect(log).toEqual(['first starts', 'first ends', 'second', 'third']);
  });

  it('run: the caller gets the result or the failure, and later tasks still run', async () => {
    const errors: unknown[] = [];
    const queue = new SerialQueue((error) => errors.push(error));
    const failed = queue.run(() => Promise.reject(new Error('boom')));
    const thrown = queue.run(() => {
      throw new Error('sync boom');
    });
    const result = queue.run(() => Promise.resolve(42));
    await expect(failed).rejects.toThrow('boom');
    await expect(thrown).rejects.toThrow('sync boom');
    await expect(result).resolves.toBe(42);
    expect(errors).toEqual([]);
  });

  it('push: a failure goes to the error handler, and later tasks still run', async () => {
    const log: string[] = [];
    const queue = new SerialQueue((error) => log.push(`handled ${(error as Error).message}`));
    queue.push(() => Promise.reject(new Error('boom')));
    queue.push(() => Promise.resolve(void log.push('after')));
    await queue.idle();
    expect(log).toEqual(['handled boom', 'after']);
    expect(logged).toEqual([]);
  });

  it('push without an error handler: a failure is logged', async () => {
    const queue = new SerialQueue();
    queue.push(() => Promise.reject(new Error('boom')));
    await queue.idle();
    expect(logged).toEqual([expect.stringContaining('A queued task failed: Error: boom')]);
  });

  it('keeps going when the error handler itself throws', async () => {
    const queue = new SerialQueue(() => {
      throw new Error('handler broke');
    });
    const log: string[] = [];
    queue.push(() => Promise.reject(new Error('boom')));
    queue.push(() => Promise.resolve(void log.push('after')));
    await expect(queue.idle()).resolves.toBeUndefined();
    expect(log).toEqual(['after']);
    expect(logged).toEqual([
      expect.stringContaining('error handler of a queue failed: Error: handler broke'),
    ]);
  });

  it('idle: waits for what was queued before it, and its failures handled, not for later tasks', async () => {
    const log: string[] = [];
    const queue = new SerialQueue(() => log.push('handled'));
    const slow = gate();
    queue.push(() => slow.done);
    const idle = queue.idle().then(() => log.push('idle'));
    const later = gate();
    queue.push(() => later.done);
    slow.fail(new Error('boom'));
    await idle;
    expect(log).toEqual(['handled', 'idle']);
    later.open();
    await queue.idle();
  });

  it('idle: resolves at once when nothing is queued, and after a failed run', async () => {
    const queue = new SerialQueue();
    await expect(queue.idle()).resolves.toBeUndefined();
    const failed = queue.run(() => Promise.reject(new Error('boom')));
    await expect(queue.idle()).resolves.toBeUndefined();
    await expect(failed).rejects.toThrow('boom');
  });
});
