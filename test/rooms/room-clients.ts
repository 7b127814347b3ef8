import { request as httpRequest } from 'node:http';
import { WebSocket } from 'ws';
import { SseReader } from '../helpers/sse';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- frames are checked by the tests
export type RoomFrame = Record<string, any> & { type: string };

/** Waits for `probe` to hold, re-checking when the client reports news. */
abstract class Recorder {
  readonly frames: RoomFrame[] = [];
  closeCode?: number;
  private waiters: (() => void)[] = [];

  protected record(frame: RoomFrame): void {
    this.frames.push(frame);
    this.notify();
  }

  protected notify(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  async until<T>(
    probe: () => T | undefined | false,
    timeoutMs = 30_000,
    what = 'frames',
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value) return value;
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${what}: ${JSON.stringify(this.frames.slice(-5))}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The stream id of the last replayable frame received (the resume position). */
  get lastId(): string {
    for (let i = this.frames.length - 1; i >= 0; i--) {
      if (typeof this.frames[i].id === 'string') return this.frames[i].id as string;
    }
    return '0';
  }

  of(type: string): RoomFrame[] {
    return this.frames.filter((f) => f.type === type);
  }
}

export interface ListenOptions {
  base: string;
  roomId: string;
  token: string;
  language: string;
  lastId?: string;
}

/** A listener over WebSocket (token as a `bearer.` subprotocol, as browsers send it). */
export class WsListener extends Recorder {
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<number>;

  constructor(options: ListenOptions) {
    super();
    const url = new URL(`/v1/rooms/${options.roomId}/listen`, options.base.replace(/^http/, 'ws'));
    url.searchParams.set('language', options.language);
    if (options.lastId) url.searchParams.set('last_id', options.lastId);
    this.ws = new WebSocket(url, ['rt', `bearer.${options.token}`]);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`HTTP ${res.statusCode}`)),
      );
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) =>
      this.ws.once('close', (code) => {
        this.closeCode = code;
        this.notify();
        resolve(code);
      }),
    );
    this.ws.on('error', () => undefined);
    this.ws.on('message', (data) =>
      this.record(JSON.parse((data as Buffer).toString('utf8')) as RoomFrame),
    );
  }
}

/** A listener over Server-Sent Events (plain HTTP, `id:` lines for resume). */
export class SseListener extends Recorder {
  readonly opened: Promise<number>;
  readonly closed: Promise<void>;
  private abort?: () => void;

  constructor(options: ListenOptions) {
    super();
    const url = new URL(`/v1/rooms/${options.roomId}/events`, options.base);
    url.searchParams.set('language', options.language);
    url.searchParams.set('token', options.token);
    let closed!: () => void;
    this.closed = new Promise((resolve) => (closed = resolve));
    this.opened = new Promise((resolve, reject) => {
      const req = httpRequest(
        url,
        { headers: options.lastId ? { 'last-event-id': options.lastId } : {} },
        (res) => {
          resolve(res.statusCode ?? 0);
          const sse = new SseReader();
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            for (const data of sse.push(chunk)) this.record(JSON.parse(data) as RoomFrame);
          });
          res.on('close', () => {
            this.closeCode = 0;
            this.notify();
            closed();
          });
        },
      );
      req.on('error', reject);
      req.end();
      this.abort = () => req.destroy();
    });
  }

  close(): void {
    this.abort?.();
  }
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: RoomFrame }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as RoomFrame };
}
