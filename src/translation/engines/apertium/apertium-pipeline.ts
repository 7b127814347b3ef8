import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { type TextFormat } from '../../formats/html-segments';
import {
  fromApertiumStream,
  toApertiumHtmlStream,
  toApertiumStream,
} from './apertium-stream-format';

/** The pipeline died or stalled; the request may be retried on a fresh pipeline. */
export class PipelineFailure extends Error {}

export interface PipelineResult {
  text: string;
  unknownWords: string[];
}

interface Pending {
  id: number;
  text: string;
  format: TextFormat;
  priority: number;
  resolve(result: PipelineResult): void;
  reject(error: Error): void;
  timer?: NodeJS.Timeout;
}

export interface PipelineOptions {
  timeoutMs: number;
  /** Requests written to the pipe at once; the rest wait so that finals can overtake interims. */
  maxInFlight: number;
  /** Called once when the pipeline has died, with why. */
  onExit?: (reason: string) => void;
}

const STDERR_TAIL = 2000;

/**
 * One long-lived Apertium pipeline (all stages in null-flush mode) for one translation direction.
 * Requests are NUL-framed and answered in order; each carries its id in a superblank, so a
 * desynchronised answer is detected instead of delivered to the wrong request. The stages run in
 * their own process group, so a kill reaches all of them. Any sign of death (a stage exits and the
 * end of the pipe closes, a write fails, a request outlives the timeout) kills the whole group
 * and fails every pending request with PipelineFailure; the owner starts a fresh pipeline.
 */
export class ApertiumPipeline {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: Pending[] = [];
  private readonly inFlight: Pending[] = [];
  private chunks: Buffer[] = [];
  private nextId = 1;
  private stderr = '';
  private deadReason: string | undefined;

  constructor(
    readonly mode: string,
    command: string,
    private readonly options: PipelineOptions,
  ) {
    // $1 is the generator option: -g keeps the marks of unknown words so we can count them.
    this.child = spawn('bash', ['-c', command, 'apertium', '-g', ''], {
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout.on('data', (data: Buffer) => this.onData(data));
    this.child.stdout.on('end', () => this.fail('its output closed (a stage exited)'));
    this.child.stderr.on('data', (data: Buffer) => {
      this.stderr = (this.stderr + data.toString()).slice(-STDERR_TAIL);
    });
    this.child.stdin.on('error', (error) => this.fail(`writing failed: ${error.message}`));
    this.child.on('error', (error) => this.fail(`could not start: ${error.message}`));
    this.child.on('exit', (code, signal) => this.fail(`exited (${signal ?? `code ${code}`})`));
  }

  /** Process group id: every stage of the pipeline. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.deadReason === undefined;
  }

  get pending(): number {
    return this.waiting.length + this.inFlight.length;
  }

  translate(
    text: string,
    priority: 'final' | 'interim' = 'final',
    format: TextFormat = 'text',
  ): Promise<PipelineResult> {
    if (this.deadReason !== undefined) {
      return Promise.reject(new PipelineFailure(this.describe(this.deadReason)));
    }
    return new Promise<PipelineResult>((resolve, reject) => {
      const request: Pending = {
        id: this.nextId++,
        text,
        format,
        priority: priority === 'final' ? 0 : 1,
        resolve,
        reject,
      };
      // Stable insertion: after every waiting request of the same or a more urgent priority.
      let at = this.waiting.length;
      while (at > 0 && this.waiting[at - 1]!.priority > request.priority) at--;
      this.waiting.splice(at, 0, request);
      this.pump();
    });
  }

  /** Kills every stage; pending requests fail with PipelineFailure. */
  kill(reason = 'killed'): void {
    this.fail(reason);
  }

  private pump(): void {
    while (
      this.deadReason === undefined &&
      this.inFlight.length < this.options.maxInFlight &&
      this.waiting.length > 0
    ) {
      const request = this.waiting.shift()!;
      this.inFlight.push(request);
      request.timer = setTimeout(
        () => this.fail(`no answer within ${this.options.timeoutMs} ms`),
        this.options.timeoutMs,
      );
      const encode = request.format === 'html' ? toApertiumHtmlStream : toApertiumStream;
      this.child.stdin.write(encode(request.text, request.id));
    }
  }

  private onData(data: Buffer): void {
    let start = 0;
    let nul = data.indexOf(0, start);
    while (nul !== -1) {
      this.chunks.push(data.subarray(start, nul));
      const chunk = Buffer.concat(this.chunks).toString('utf8');
      this.chunks = [];
      this.onAnswer(chunk);
      start = nul + 1;
      nul = data.indexOf(0, start);
    }
    if (start < data.length) this.chunks.push(data.subarray(start));
  }

  private onAnswer(chunk: string): void {
    if (chunk.trim() === '') return; // stages flush extra NULs at end of input
    const output = fromApertiumStream(chunk);
    const request = this.inFlight[0];
    if (!request) return;
    if (output.id !== undefined && output.id !== request.id) {
      this.fail(`answer for request ${output.id} arrived while ${request.id} was expected`);
      return;
    }
    this.inFlight.shift();
    clearTimeout(request.timer);
    request.resolve({ text: output.text, unknownWords: output.unknownWords });
    this.pump();
  }

  private fail(reason: string): void {
    if (this.deadReason !== undefined) return;
    this.deadReason = reason;
    this.killGroup();
    const error = new PipelineFailure(this.describe(reason));
    for (const request of [...this.inFlight.splice(0), ...this.waiting.splice(0)]) {
      clearTimeout(request.timer);
      request.reject(error);
    }
    this.options.onExit?.(reason);
  }

  private killGroup(): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    this.child.stdin.destroy();
  }

  private describe(reason: string): string {
    const stderr = this.stderr.trim();
    return `Apertium pipeline ${this.mode} ${reason}${stderr ? `: ${stderr.slice(-300)}` : ''}`;
  }
}
