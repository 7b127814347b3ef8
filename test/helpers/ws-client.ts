import { type ClientOptions, WebSocket } from 'ws';
import { pcmBytes } from './audio';

/** Anything the gateway sends (parsed JSON). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- frames are checked by the tests
export type Frame = Record<string, any> & { type: string };

/** A real `ws` client that records every frame and the close code. */
export class TestClient {
  readonly frames: Frame[] = [];
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: (() => void)[] = [];

  constructor(url: string, options?: ClientOptions) {
    this.ws = new WebSocket(url, options);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
      this.ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`HTTP ${res.statusCode}`)),
      );
    });
    this.closed = new Promise((resolve) =>
      this.ws.once('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.notify();
      }),
    );
    this.ws.on('error', () => undefined);
    this.ws.on('message', (data, isBinary) => {
      if (isBinary) throw new Error('the gateway sent a binary frame');
      this.frames.push(JSON.parse((data as Buffer).toString('utf8')) as Frame);
      this.notify();
    });
  }

  static async connect(url: string): Promise<TestClient> {
    const client = new TestClient(url);
    await client.opened;
    return client;
  }

  private notify(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  of(type: string): Frame[] {
    return this.frames.filter((f) => f.type === type);
  }

  /** Resolves with the first frame (from `from` on) that matches; fails after `timeoutMs`. */
  async next(
    match: (frame: Frame) => boolean,
    { timeoutMs = 20_000, what = 'frame' } = {},
  ): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(match);
      if (found) return found;
      if (this.ws.readyState === WebSocket.CLOSED) {
        throw new Error(
          `socket closed while waiting for ${what}; got ${JSON.stringify(this.frames)}`,
        );
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.frames)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async waitCount(type: string, count: number, timeoutMs = 20_000): Promise<Frame[]> {
    await this.next(() => this.of(type).length >= count, {
      timeoutMs,
      what: `${count} "${type}" frames`,
    });
    return this.of(type);
  }

  sendJson(value: unknown): void {
    this.ws.send(JSON.stringify(value));
  }

  /** Sends audio as binary frames of `chunkSamples` samples (as fast as the socket takes them). */
  sendPcm(samples: Int16Array, chunkSamples = 1600): void {
    for (let i = 0; i < samples.length; i += chunkSamples) {
      this.ws.send(pcmBytes(samples.subarray(i, i + chunkSamples)));
    }
  }

  close(): void {
    this.ws.close();
  }
}
