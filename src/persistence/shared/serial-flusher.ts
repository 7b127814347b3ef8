/**
 * Runs a flush one at a time. A call while one runs gets one more pass after it (shared by every
 * caller meanwhile), so everything recorded before the call is included once it resolves.
 */
export class SerialFlusher {
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  constructor(private readonly flushOnce: () => Promise<void>) {}

  flush(): Promise<void> {
    if (!this.running) {
      this.running = this.flushOnce().finally(() => (this.running = undefined));
      return this.running;
    }
    this.next ??= this.running.then(() => {
      this.next = undefined;
      return this.flush();
    });
    return this.next;
  }

  /** The pass in progress, if any. */
  inProgress(): Promise<void> | undefined {
    return this.running;
  }
}
