import { describeError, type ServerFrame } from '../shared/protocol';
import { type RunObserver } from '../run-session';

export interface Writable {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * Text for people: the interim on one line that is rewritten as it improves (only on a terminal
 * and with one session), finals and translations on their own lines, errors in words.
 */
export class HumanPrinter implements RunObserver {
  private interimShown = false;

  constructor(
    private readonly out: Writable,
    private readonly err: Writable,
    private readonly multi = false,
  ) {}

  private prefix(index: number): string {
    return this.multi ? `#${index + 1} ` : '';
  }

  private clearInterim(): void {
    if (this.interimShown) {
      this.out.write('\r\x1b[2K');
      this.interimShown = false;
    }
  }

  frame(index: number, frame: ServerFrame, extra: { latencyMs?: number }): void {
    switch (frame.type) {
      case 'session':
        this.clearInterim();
        this.err.write(
          `${this.prefix(index)}${frame.resumed ? 'resumed' : 'session'} ${frame.session_id}\n`,
        );
        break;
      case 'realtime': {
        if (this.multi || !this.out.isTTY) return;
        const width = 100;
        const text = frame.text.length > width ? `…${frame.text.slice(-width)}` : frame.text;
        this.out.write(`\r\x1b[2K\x1b[2m${text}\x1b[0m`);
        this.interimShown = true;
        break;
      }
      case 'final': {
        this.clearInterim();
        const latency = extra.latencyMs !== undefined ? ` ${Math.round(extra.latencyMs)} ms` : '';
        const meta = `[${frame.seq} ${frame.language} ${frame.start.toFixed(2)}-${frame.end.toFixed(2)}s${latency}]`;
        this.out.write(`${this.prefix(index)}${meta} ${frame.text.trim()}\n`);
        break;
      }
      case 'translation':
        this.clearInterim();
        this.out.write(`${this.prefix(index)}  -> ${frame.language}: ${frame.text.trim()}\n`);
        break;
      case 'warning':
        this.clearInterim();
        this.err.write(`${this.prefix(index)}warning: ${frame.message}\n`);
        break;
      case 'error':
        this.clearInterim();
        this.err.write(`${this.prefix(index)}error: ${describeError(frame.code, frame.message)}\n`);
        break;
      case 'closed':
        this.clearInterim();
        break;
      case 'room': {
        this.clearInterim();
        const listeners = Object.entries(frame.listeners)
          .map(([language, n]) => `${language} ${n}`)
          .join(', ');
        if (frame.room_key) {
          this.err.write(
            `${this.prefix(index)}room ${frame.code}${frame.passcode ? ' (passcode)' : ''}: ${frame.join_url}\n` +
              `${this.prefix(index)}  speaker key (more speakers, end the room): ${frame.room_key}\n`,
          );
        }
        this.err.write(
          `${this.prefix(index)}room ${frame.status}; listeners: ${listeners || 'none'}\n`,
        );
        break;
      }
      case 'turn':
        // Semantic turn events: the final that follows is what is printed.
        break;
    }
  }

  notice(index: number, message: string): void {
    this.clearInterim();
    this.err.write(`${this.prefix(index)}${message}\n`);
  }
}

/** `utterance_id` as `utteranceId`. */
const camelCase = (name: string): string =>
  name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * One JSON object per line: every server frame with the client's receive time (and latency). The
 * frame's own field names are printed in camelCase (docs/clients.md); nested objects as received.
 */
export class JsonPrinter implements RunObserver {
  constructor(private readonly out: Writable) {}

  frame(index: number, frame: ServerFrame, extra: { latencyMs?: number }): void {
    const fields = Object.entries(frame).map(([name, value]): [string, unknown] => [
      camelCase(name),
      value,
    ]);
    this.out.write(
      `${JSON.stringify({ client: index, receivedAt: Date.now(), ...Object.fromEntries(fields), ...extra })}\n`,
    );
  }

  notice(index: number, message: string): void {
    this.out.write(`${JSON.stringify({ client: index, type: 'notice', message })}\n`);
  }
}
