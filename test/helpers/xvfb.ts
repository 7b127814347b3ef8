import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { waitFor } from './test-env';

/** A throw-away X server (Xvfb) on a free display number. */
export class Xvfb {
  private process?: ChildProcess;
  readonly display: string;

  constructor(number = 90 + Math.floor(Math.random() * 400)) {
    this.display = `:${number}`;
  }

  get env(): Record<string, string> {
    return { DISPLAY: this.display };
  }

  async start(): Promise<void> {
    this.process = spawn(
      'Xvfb',
      [this.display, '-screen', '0', '1024x768x24', '-nolisten', 'tcp'],
      {
        stdio: 'ignore',
      },
    );
    await waitFor(
      () => {
        try {
          execFileSync('xdpyinfo', ['-display', this.display], { stdio: 'ignore' });
          return true;
        } catch {
          return false;
        }
      },
      { what: `Xvfb on ${this.display}`, timeoutMs: 10_000 },
    );
  }

  /** Starts an X program on this display; the caller ends it. */
  spawn(command: string, args: string[]): ChildProcess {
    return spawn(command, args, {
      env: { ...process.env, ...this.env },
      stdio: 'ignore',
    });
  }

  xdotool(...args: string[]): string {
    return execFileSync('xdotool', args, { env: { ...process.env, ...this.env } })
      .toString()
      .trim();
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}
