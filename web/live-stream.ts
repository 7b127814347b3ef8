import { PIPELINE_SAMPLE_RATE } from '../src/audio/pipeline-rate';
import {
  closeFrame,
  configFrame,
  type ConfigOptions,
  describeClose,
  describeError,
  parseServerFrame,
  type ServerFrame,
} from '../src/client/shared/protocol';
import {
  credentialProtocols,
  ResumeTracker,
  roomConfigFrame,
  streamUrl,
  type StreamQuery,
} from '../src/client/shared/session-url';
import { CredentialError, type TokenSource } from './credentials';

export type ConnectionState =
  'idle' | 'connecting' | 'live' | 'reconnecting' | 'closing' | 'closed';

export interface LiveStreamHandlers {
  state(state: ConnectionState, detail?: string): void;
  /** New frames only: duplicates replayed after a resume are dropped here. */
  frame(frame: ServerFrame): void;
  /** A problem to show the person, in words. */
  problem(message: string): void;
  /** A new session replaced one that could not be resumed. */
  newSession?(): void;
}

/** Audio held while reconnecting: 30 s. */
const MAX_HELD_SAMPLES = PIPELINE_SAMPLE_RATE * 30;
const RECONNECT_DELAYS_MS = [250, 500, 1000, 2000, 4000, 4000, 4000, 4000];
/** Close codes after which reconnecting cannot help. */
const FATAL_CLOSE = new Set([1008, 1009, 4000, 4001, 4002]);

/**
 * The browser side of a stream: one session across reconnects. When the socket drops it reconnects
 * with the resume token and the last sequence number seen, holding the audio captured meanwhile;
 * the server replays what was missed and duplicates are dropped.
 */
export class LiveStream {
  private socket?: WebSocket;
  private readonly resume = new ResumeTracker();
  private held: Int16Array[] = [];
  private heldSamples = 0;
  private attempt = 0;
  private stopping = false;
  private hadSession = false;
  private timer?: number;
  private drained?: () => void;

  constructor(
    private readonly baseUrl: string,
    private query: StreamQuery,
    private readonly handlers: LiveStreamHandlers,
    /** A fresh short-lived token per connect (single-use tokens survive reconnects). */
    private readonly tokens?: TokenSource,
  ) {}

  start(): void {
    this.stopping = false;
    this.open();
  }

  private open(): void {
    this.handlers.state(this.hadSession ? 'reconnecting' : 'connecting');
    if (!this.tokens) {
      this.connect(undefined);
      return;
    }
    this.tokens.token().then(
      (token) => {
        if (!this.stopping) this.connect(token);
      },
      (error: unknown) => {
        const words = error instanceof Error ? error.message : String(error);
        if (error instanceof CredentialError || this.attempt >= RECONNECT_DELAYS_MS.length) {
          this.handlers.problem(words);
          this.handlers.state('closed', words);
          return;
        }
        // The token service did not answer (network): try again like a dropped socket.
        this.handlers.state('reconnecting', words);
        this.timer = window.setTimeout(() => this.open(), RECONNECT_DELAYS_MS[this.attempt++]);
      },
    );
  }

  /** The token goes in a `bearer.<token>` subprotocol, never in the URL. */
  private connect(token: string | undefined): void {
    const resumePoint = this.resume.resumePoint();
    const url = streamUrl(this.baseUrl, this.query, resumePoint);
    const socket = new WebSocket(url, credentialProtocols(token));
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    // The passcode never goes in a URL; a resumed session is still in its room.
    const roomFrame = resumePoint ? undefined : roomConfigFrame(this.query);
    if (roomFrame) socket.onopen = () => socket.send(roomFrame);
    let errorBeforeClose: string | undefined;
    let sessionStarted = false;
    let fatal = false;
    socket.onmessage = (event: MessageEvent) => {
      if (typeof event.data !== 'string') return;
      const parsed = parseServerFrame(event.data);
      if (!parsed.ok) return;
      const frame = parsed.frame;
      switch (frame.type) {
        case 'session': {
          const { resumed } = this.resume.onSession(frame.session_id, frame.resume_token);
          if (this.hadSession && !resumed) this.handlers.newSession?.();
          this.hadSession = true;
          sessionStarted = true;
          this.attempt = 0;
          this.handlers.state('live', frame.session_id);
          this.flushHeld();
          break;
        }
        case 'final':
          if (!this.resume.onFinal(frame.seq, frame.id)) return;
          break;
        case 'translation':
          this.resume.onReplayable(frame.id);
          break;
        case 'error':
          if (frame.seq !== undefined && !this.resume.onFinal(frame.seq, frame.id)) return;
          errorBeforeClose = describeError(frame.code, frame.message);
          this.handlers.problem(errorBeforeClose);
          if (!sessionStarted) {
            // Refused before a session began (e.g. a bad setting): retrying would not help.
            fatal = true;
            socket.close();
          }
          break;
        case 'warning':
          this.handlers.problem(frame.message);
          break;
        case 'closed':
          this.stopping = true;
          this.drained?.();
          break;
        default:
          // realtime, room and turn frames only reach the handlers below.
          break;
      }
      this.handlers.frame(frame);
    };
    socket.onclose = (event: CloseEvent) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (this.stopping) {
        this.handlers.state('closed');
        this.drained?.();
        return;
      }
      if (event.code === 4003 || event.code === 4004) {
        // The session is gone or taken over: start a new one, keep the text on screen.
        this.resume.reset();
      }
      if (fatal || FATAL_CLOSE.has(event.code) || this.attempt >= RECONNECT_DELAYS_MS.length) {
        const words = errorBeforeClose ?? describeClose(event.code, event.reason);
        this.handlers.problem(words);
        this.handlers.state('closed', words);
        return;
      }
      const delay = RECONNECT_DELAYS_MS[this.attempt++];
      this.handlers.state('reconnecting', describeClose(event.code, event.reason));
      this.timer = window.setTimeout(() => this.open(), delay);
    };
  }

  sendAudio(pcm: Int16Array): void {
    const socket = this.socket;
    if (
      socket &&
      socket.readyState === WebSocket.OPEN &&
      this.hadSession &&
      this.held.length === 0
    ) {
      socket.send(pcm);
      return;
    }
    if (this.stopping) return;
    this.held.push(pcm);
    this.heldSamples += pcm.length;
    while (this.heldSamples > MAX_HELD_SAMPLES && this.held.length > 0) {
      this.heldSamples -= this.held.shift()!.length;
    }
  }

  private flushHeld(): void {
    const socket = this.socket;
    if (!socket) return;
    for (const pcm of this.held) socket.send(pcm);
    this.held = [];
    this.heldSamples = 0;
  }

  /** Changes languages mid-stream: a `config` frame, no reconnect. */
  configure(options: ConfigOptions): void {
    this.query = { ...this.query, source: options.source, targets: options.targets };
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(configFrame(options));
  }

  /** Drains: what was spoken is transcribed and delivered, then the socket closes. */
  stop(timeoutMs = 8000): Promise<void> {
    this.stopping = true;
    window.clearTimeout(this.timer);
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      socket?.close();
      this.handlers.state('closed');
      return Promise.resolve();
    }
    this.handlers.state('closing');
    return new Promise<void>((resolve) => {
      const done = (): void => {
        window.clearTimeout(guard);
        this.drained = undefined;
        socket.close();
        resolve();
      };
      const guard = window.setTimeout(done, timeoutMs);
      this.drained = done;
      socket.send(closeFrame());
    });
  }

  /** Test and diagnostics hook: drop the socket as a network failure would. */
  simulateDrop(): void {
    this.socket?.close(4900, 'simulated drop');
  }

  get lastSeq(): number {
    return this.resume.lastSeq;
  }
}
