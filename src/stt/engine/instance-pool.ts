/** Who is served first: finals, then interims, then background work (uploaded files). */
export type PoolPriority = 'final' | 'interim' | 'background';

const RANK: Record<PoolPriority, number> = { final: 0, interim: 1, background: 2 };

interface Waiter<T> {
  priority: PoolPriority;
  order: number;
  resolve: (instance: T) => void;
}

/**
 * A fixed set of model instances, each used by one transcription at a time. Waiters are served
 * finals first, then interims, then background work, each in arrival order, so an interim never
 * delays a waiting final and an upload never delays live speech that waits.
 */
export class InstancePool<T> {
  private readonly free: T[];
  private readonly waiters: Waiter<T>[] = [];
  private order = 0;

  constructor(readonly instances: readonly T[]) {
    this.free = [...instances];
  }

  get busy(): number {
    return this.instances.length - this.free.length;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  acquire(priority: PoolPriority): Promise<T> {
    const instance = this.free.pop();
    if (instance !== undefined) return Promise.resolve(instance);
    return new Promise((resolve) => {
      this.waiters.push({ priority, order: this.order++, resolve });
    });
  }

  release(instance: T): void {
    if (this.waiters.length === 0) {
      this.free.push(instance);
      return;
    }
    const waiter = this.waiters.reduce((b, a) =>
      RANK[a.priority] < RANK[b.priority] || (a.priority === b.priority && a.order < b.order)
        ? a
        : b,
    );
    this.waiters.splice(this.waiters.indexOf(waiter), 1);
    waiter.resolve(instance);
  }

  async use<R>(priority: PoolPriority, run: (instance: T) => Promise<R>): Promise<R> {
    const instance = await this.acquire(priority);
    try {
      return await run(instance);
    } finally {
      this.release(instance);
    }
  }
}
