import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { TypingPlanner, type TypingStep } from '../shared/typing-plan';

const run = promisify(execFile);

/**
 * Voice typing into whatever window has the keyboard focus on X11, through xdotool. Steps run one
 * after another in arrival order, so a slow keystroke never reorders text.
 */
export class XdotoolTyper {
  private readonly planner: TypingPlanner;
  private queue: Promise<void> = Promise.resolve();
  private failure?: Error;

  constructor(
    typeInterims: boolean,
    private readonly delayMs = 12,
    private readonly xdotool = 'xdotool',
  ) {
    this.planner = new TypingPlanner(typeInterims);
  }

  interim(text: string): void {
    this.enqueue(this.planner.interim(text));
  }

  final(text: string): void {
    this.enqueue(this.planner.final(text));
  }

  /** Waits until everything queued has been typed; throws the first xdotool failure. */
  async flush(): Promise<void> {
    await this.queue;
    if (this.failure) throw this.failure;
  }

  private enqueue(step: TypingStep): void {
    if (step.backspaces === 0 && step.text === '') return;
    this.queue = this.queue
      .then(() => this.perform(step))
      .catch((error: unknown) => {
        this.failure ??= error instanceof Error ? error : new Error(String(error));
      });
  }

  private async perform(step: TypingStep): Promise<void> {
    if (step.backspaces > 0) {
      await run(this.xdotool, [
        'key',
        '--clearmodifiers',
        '--delay',
        String(this.delayMs),
        '--repeat',
        String(step.backspaces),
        'BackSpace',
      ]);
    }
    if (step.text !== '') {
      await run(this.xdotool, [
        'type',
        '--clearmodifiers',
        '--delay',
        String(this.delayMs),
        '--',
        step.text,
      ]);
    }
  }
}
