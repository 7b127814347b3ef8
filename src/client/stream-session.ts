import WebSocket from 'ws';
import {
  type ClosedFrame,
  closeFrame,
  type ConfigOptions,
  configFrame,
  describeClose,
  describeError,
  finalizeFrame,
  parseServerFrame,
  type ServerFrame,
  type SessionFrame,
} from './shared/protocol';
import { ResumeTracker, roomConfigFrame, streamUrl, type StreamQuery } from './shared/session-url';

export interface StreamSessionOptions extends StreamQuery {
  url: string;
  /** API key or session token, sent as `Authorization: Bearer` (never in the URL). */
  token?: string;
  /** Milliseconds to wait for the `session` frame and for `closed` after `close`. */
  timeoutMs?: number;
}

export interface SessionEvents {
  /** Every valid server frame, duplicates from a resume already removed. */
  frame?(frame: ServerFrame, receivedAt: number): void;
  /** A frame the client could not read (kept going). */
  garbage?(reason: string): void;
  /** The socket closed before the session finished. */
  dropped?(code: number, reason: string): void;
}

export class StreamClosedError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super(describeClose(code, reason));
  }
}

/**
 * One streaming session over a WebSocket (Node): connect, send PCM16 audio and control frames,
 * hand server frames to the caller, reconnect with the resume token when asked to.
 */
export class StreamSession {
  private socket?: WebSocket;
  private readonly resume = new ResumeTracker();
  private closedFrame?: ClosedFrame;
  private waitingClosed?: (frame: ClosedFrame | undefined) => void;
  private finished = false;

  constructor(
    private readonly options: StreamSessionOptions,
    private readonly events: SessionEvents = {},
  ) {}

  get sessionId(): string | undefined {
    return this.resume.id;
  }

  get lastSeq(): number {
    return this.resume.lastSeq;
  }

  get isOpen(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Opens the socket (resuming the session when there is one) and waits for `session`. */
  connect(): Promise<SessionFrame> {
    const resumePoint = this.resume.resumePoint();
    const url = streamUrl(this.options.url, this.options, resumePoint);
    const token = this.options.token;
    const socket = new WebSocket(
      url,
      token ? { headers: { authorization: `Bearer ${token}` } } : undefined,
    );
    this.socket = socket;
    // A resumed session is still in its room: the room request goes with the first connect only.
    const roomFrame = resumePoint ? undefined : roomConfigFrame(this.options);
    if (roomFrame) socket.once('open', () => socket.send(roomFrame));
    return new Promise<SessionFrame>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settle(() => reject(new Error(`no session frame within ${this.timeoutMs} ms`)));
        socket.terminate();
      }, this.timeoutMs);
      const settle = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      socket.on('message', (data, isBinary) => {
        if (isBinary) return this.events.garbage?.('binary frame from server');
        const text = Buffer.isBuffer(data)
          ? data.toString('utf8')
          : Buffer.concat(data as Buffer[]).toString('utf8');
        const frame = this.handle(text);
        if (frame?.type === 'session') settle(() => resolve(frame));
        if (frame?.type === 'error' && !settled) {
          // Refused before a session began (e.g. a bad language in the URL): nothing to wait for.
          settle(() => reject(new Error(describeError(frame.code, frame.message))));
          this.finished = true;
          socket.close();
        }
      });
      socket.on('error', (error) => settle(() => reject(error)));
      socket.on('close', (code, reasonBuffer) => {
        const reason = reasonBuffer.toString();
        settle(() => reject(new StreamClosedError(code, reason)));
        if (this.socket === socket && !this.finished) this.events.dropped?.(code, reason);
        if (this.socket === socket && !this.closedFrame) this.waitingClosed?.(undefined);
      });
    });
  }

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? 15_000;
  }

  private handle(text: string): ServerFrame | undefined {
    const parsed = parseServerFrame(text);
    if (!parsed.ok) {
      this.events.garbage?.(parsed.reason);
      return undefined;
    }
    const frame = parsed.frame;
    const now = Date.now();
    switch (frame.type) {
      case 'session':
        this.resume.onSession(frame.session_id, frame.resume_token);
        break;
      case 'final':
        if (!this.resume.onFinal(frame.seq, frame.id)) return undefined;
        break;
      case 'error':
        if (frame.seq !== undefined && !this.resume.onFinal(frame.seq, frame.id)) return undefined;
        break;
      case 'translation':
        this.resume.onReplayable(frame.id);
        break;
      case 'closed':
        this.finished = true;
        this.closedFrame = frame;
        this.waitingClosed?.(frame);
        break;
      default:
        // Frames that resume does not track.
        break;
    }
    this.events.frame?.(frame, now);
    return frame;
  }

  sendAudio(pcm16: Int16Array): void {
    this.send(Buffer.from(pcm16.buffer, pcm16.byteOffset, pcm16.byteLength));
  }

  sendConfig(config: ConfigOptions): void {
    Object.assign(this.options, {
      source: config.source ?? this.options.source,
      targets: config.targets ?? this.options.targets,
    });
    this.send(configFrame(config));
  }

  finalize(): void {
    this.send(finalizeFrame());
  }

  private send(data: string | Buffer): void {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) {
      throw new Error('not connected');
    }
    this.socket.send(data);
  }

  /**
   * Asks the gateway to drain (everything spoken is transcribed and delivered) and waits for
   * `closed`. Resolves undefined when the socket closed first (resume and ask again).
   */
  async close(timeoutMs = 60_000): Promise<ClosedFrame | undefined> {
    if (this.closedFrame) return this.closedFrame;
    let timer: NodeJS.Timeout | undefined;
    const done = new Promise<ClosedFrame | undefined>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no closed frame within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waitingClosed = resolve;
    });
    if (this.isOpen) this.send(closeFrame());
    else this.waitingClosed?.(undefined);
    try {
      return await done;
    } finally {
      clearTimeout(timer);
      this.waitingClosed = undefined;
      if (this.closedFrame) {
        this.finished = true;
        this.socket?.close();
      }
    }
  }

  /** Drops the connection without a goodbye (as a network failure would). */
  drop(): void {
    this.socket?.terminate();
  }

  /** Closes right away without draining. */
  abort(): void {
    this.finished = true;
    this.socket?.close();
  }
}
