import { InstancePool } from './instance-pool';

describe('InstancePool', () => {
  it('hands out free instances, then serves waiting finals before interims, in arrival order', async () => {
    const pool = new InstancePool(['a']);
    const first = await pool.acquire('interim');
    const order: string[] = [];
    const waits = [
      pool.acquire('interim').then(() => order.push('interim-1')),
      pool.acquire('interim').then(() => order.push('interim-2')),
      pool.acquire('final').then(() => order.push('final-1')),
      pool.acquire('final').then(() => order.push('final-2')),
    ];
    expect(pool.busy).toBe(1);
    expect(pool.waiting).toBe(4);
    pool.release(first);
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setImmediate(r));
      pool.release('a');
    }
    await Promise.all(waits);
    expect(order).toEqual(['final-1', 'final-2', 'interim-1', 'interim-2']);
  });

  it('serves background work (uploads) only after every waiting live job', async () => {
    const pool = new InstancePool(['a']);
    const first = await pool.acquire('background');
    const order: string[] = [];
    const waits = [
      pool.acquire('background').then(() => order.push('upload')),
      pool.acquire('interim').then(() => order.push('interim')),
      pool.acquire('final').then(() => order.push('final')),
    ];
    pool.release(first);
    for (let i = 0; i < 2; i++) {
      await new Promise((r) => setImmediate(r));
      pool.release('a');
    }
    await Promise.all(waits);
    expect(order).toEqual(['final', 'interim', 'upload']);
  });

  it('use() releases the instance even when the work throws', async () => {
    const pool = new InstancePool([1, 2]);
    await expect(pool.use('final', () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    expect(pool.busy).toBe(0);
    await expect(pool.use('final', (n) => Promise.resolve(n * 10))).resolves.toBe(20);
  });
});
