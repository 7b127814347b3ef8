import { Logger } from '@nestjs/common';

export type TaskErrorHandler = (error: unknown) => void;

const logger = new Logger('SerialQueue');

const describeError = (error: unknown): string => (error as Error)?.stack ?? String(error);

const logUnhandled: TaskErrorHandler = (error) =>
  logger.error(`A queued task failed: ${describeError(error)}`);

/**
 * Runs tasks one at a time, in the order they were queued; a task starts once the one before it
 * has settled, and a failing task never stops the tasks after it. Each task's failure goes either
 * to its caller (`run`) or to the queue's one error handler (`push`), never to both.
 */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();

  /** `onError` receives the failures of pushed tasks (by default they are logged). */
  constructor(private readonly onError: TaskErrorHandler = logUnhandled) {}

  /** Queues a task whose outcome the caller takes: the promise settles as the task does. */
  run<T>(task: () => T | Promise<T>): Promise<T> {
    const outcome = this.tail.then(task);
    this.tail = outcome.then(
      () => undefined,
      () => undefined,
    );
    return outcome;
  }

  /** Queues a task nobody waits for: its failure goes to the error handler. */
  push(task: () => Promise<void>): void {
    this.tail = this.tail.then(task).catch((error: unknown) => this.handle(error));
  }

  /**
   * Resolves once every task queued so far has settled (and a pushed task's failure was handled);
   * never rejects.
   */
  idle(): Promise<void> {
    return this.tail;
  }

  private handle(error: unknown): void {
    try {
      this.onError(error);
    } catch (handlerError) {
      // The handler's own failure must not stop the queue either.
      logger.error(`The error handler of a queue failed: ${describeError(handlerError)}`);
    }
  }
}
