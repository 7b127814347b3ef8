import { OpenAiError } from './openai-error';

export interface UploadSlotLimits {
  /** Uploads one key may have running or waiting. */
  perKey: number;
  /** Uploads running at once. */
  running: number;
  /** Uploads waiting for a running place. */
  waiting: number;
}

interface Waiter {
  key: string;
  grant(): void;
}

/**
 * Places for uploads on one gateway: at most `running` decode and transcribe at once, and one
 * key holds at most `perKey` places, running or waiting (429 past that). A freed place goes to
 * the waiting key with the fewest uploads running, and among those to the one served longest
 * ago, so a key that sends many files waits behind each other key's next one instead of ahead
 * of it.
 */
export class UploadSlots {
  private readonly runningByKey = new Map<string, number>();
  private readonly heldByKey = new Map<string, number>();
  private readonly waiters: Waiter[] = [];
  private runningCount = 0;
  /** Per key with places held: when it was last given a running place (a counter, not a clock). */
  private readonly servedAt = new Map<string, number>();
  private grants = 0;

  constructor(private readonly limits: UploadSlotLimits) {}

  /** Resolves with the release of a running place; rejects with signal.reason if aborted first. */
  acquire(key: string, signal: AbortSignal): Promise<() => void> {
    signal.throwIfAborted();
    const held = this.heldByKey.get(key) ?? 0;
    if (held >= this.limits.perKey) {
      return Promise.reject(
        new OpenAiError(
          429,
          `this key already has ${held} uploads in progress; at most ${this.limits.perKey} at once`,
          null,
          'too_many_uploads',
        ),
      );
    }
    if (this.runningCount >= this.limits.running && this.waiters.length >= this.limits.waiting) {
      return Promise.reject(
        new OpenAiError(
          503,
          'the server is busy with other uploads; try again later',
          null,
          'busy',
        ),
      );
    }
    this.heldByKey.set(key, held + 1);
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal.removeEventListener('abort', abandon);
        this.start(key);
        resolve(this.releaser(key));
      };
      const waiter = { key, grant };
      const abandon = (): void => {
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
        this.drop(this.heldByKey, key);
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      if (this.runningCount < this.limits.running) {
        grant();
        return;
      }
      signal.addEventListener('abort', abandon, { once: true });
      this.waiters.push(waiter);
    });
  }

  get running(): number {
    return this.runningCount;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  private start(key: string): void {
    this.servedAt.set(key, ++this.grants);
    this.runningCount++;
    this.runningByKey.set(key, (this.runningByKey.get(key) ?? 0) + 1);
  }

  private releaser(key: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.runningCount--;
      this.drop(this.runningByKey, key);
      this.drop(this.heldByKey, key);
      this.next()?.grant();
    };
  }

  private next(): Waiter | undefined {
    const rank = (key: string): [number, number] => [
      this.runningByKey.get(key) ?? 0,
      this.servedAt.get(key) ?? 0,
    ];
    let best = -1;
    let bestWaiter: Waiter | undefined;
    for (const [i, waiter] of this.waiters.entries()) {
      if (!bestWaiter) {
        best = i;
        bestWaiter = waiter;
        continue;
      }
      const [running, served] = rank(waiter.key);
      const [bestRunning, bestServed] = rank(bestWaiter.key);
      if (running < bestRunning || (running === bestRunning && served < bestServed)) {
        best = i;
        bestWaiter = waiter;
      }
    }
    return best < 0 ? undefined : this.waiters.splice(best, 1)[0];
  }

  private drop(counts: Map<string, number>, key: string): void {
    const left = (counts.get(key) ?? 0) - 1;
    if (left > 0) counts.set(key, left);
    else counts.delete(key);
    if (!this.heldByKey.has(key)) this.servedAt.delete(key);
  }
}
