import { type OpenAiError } from './openai-error';
import { UploadSlots } from './upload-slots';

const never = new AbortController().signal;

async function status(promise: Promise<unknown>): Promise<string> {
  return Promise.race([
    promise.then(
      () => 'granted',
      (error: unknown) => `refused ${(error as OpenAiError).status ?? (error as Error).message}`,
    ),
    new Promise<string>((resolve) => setImmediate(() => resolve('waiting'))),
  ]);
}

describe('UploadSlots', () => {
  it('refuses a key past its places with 429, running or waiting', async () => {
    const slots = new UploadSlots({ perKey: 2, running: 1, waiting: 10 });
    const first = slots.acquire('a', never);
    const second = slots.acquire('a', never);
    expect(await status(first)).toBe('granted');
    expect(await status(second)).toBe('waiting');
    expect(await status(slots.acquire('a', never))).toBe('refused 429');
    expect(await status(slots.acquire('b', never))).toBe('waiting');
  });

  it('refuses with 503 once the waiting list is full', async () => {
    const slots = new UploadSlots({ perKey: 5, running: 1, waiting: 1 });
    await slots.acquire('a', never);
    void slots.acquire('b', never);
    expect(await status(slots.acquire('c', never))).toBe('refused 503');
  });

  it('gives a freed place to the key served longest ago, not to the first in line', async () => {
    const slots = new UploadSlots({ perKey: 3, running: 1, waiting: 10 });
    const order: string[] = [];
    const release = await slots.acquire('a', never);
    const later = [
      slots.acquire('a', never).then((done) => (order.push('a2'), done)),
      slots.acquire('a', never).then((done) => (order.push('a3'), done)),
      slots.acquire('b', never).then((done) => (order.push('b1'), done)),
    ];
    release();
    (await later[2])();
    (await later[0])();
    (await later[1])();
    expect(order).toEqual(['b1', 'a2', 'a3']);
    expect(slots.running).toBe(0);
  });

  it('lets a waiter that gives up leave the line and frees its place', async () => {
    const slots = new UploadSlots({ perKey: 1, running: 1, waiting: 10 });
    const release = await slots.acquire('a', never);
    const leaving = new AbortController();
    const waiting = slots.acquire('b', leaving.signal);
    leaving.abort(new Error('gone'));
    expect(await status(waiting)).toBe('refused gone');
    expect(slots.waiting).toBe(0);
    release();
    expect(await status(slots.acquire('b', never))).toBe('granted');
  });
});
