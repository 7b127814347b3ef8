/**
 * The native streaming protocol's WebSocket frames exactly as they are on the wire
 * (docs/protocol.md): the one definition the gateway writes, and the CLI client and web app read
 * (src/client/shared/protocol.ts checks incoming frames against it). Types only, no imports, no
 * runtime code: the web app compiles this file for the browser.
 */

export interface WordTiming {
  word: string;
  start: number;
  end: number;
  probability?: number;
}

export interface StageLatencies {
  /** Gateway enqueue to worker pick-up. */
  queueMs: number;
  /** Inference time. */
  sttMs: number;
  /** Utterance end to result written, when the utterance end time is known. */
  totalMs?: number;
}

export type AudioEncoding = 'pcm_s16le' | 'pcm_f32le';

/** What a client chose for its session; stored in Redis and echoed in the `session` frame. */
export interface SessionConfig {
  /** ISO 639-1 code of the speech, or 'auto'. */
  source: string;
  targets: string[];
  sample_rate: number;
  encoding: AudioEncoding;
  interim_results: boolean;
  interim_translations: boolean;
  /** Echo finals and translations as `realtime` frames too (for clients that read only those). */
  realtime_finals: boolean;
  task: 'transcribe' | 'translate';
  /**
   * How an utterance ends: `silence` (a fixed silence) or `semantic` (early when the text is a
   * complete turn, later when it is not; `turn` frames say so). Absent: the server's TURN_MODE.
   */
  turn_detection?: 'silence' | 'semantic';
}

// ---- Server frames ----

export interface SessionFrame {
  type: 'session';
  session_id: string;
  resume_token: string;
  resumed: boolean;
  /** Seq of the last final the session delivered so far (0 for none). */
  last_seq: number;
  config: SessionConfig;
}

/** An interim result (and, with `realtime_finals`, a final's echo); on the wire its type is `realtime`. */
export interface InterimFrame {
  type: 'realtime';
  utterance_id: string;
  /** The whole interim: committed + ' ' + tentative. */
  text: string;
  /** Words the stt workers will not change any more (LocalAgreement-2); a prefix of `text`. */
  committed?: string;
  /** The rest of `text`, which the next interim may still revise. */
  tentative?: string;
  /** Latest interim translation into the first target, '' when there is none. */
  translation: string;
  language: string;
  /** Set on the echo of a delivered final or translation (see RealtimeEcho). */
  final?: true;
}

export interface FinalFrame {
  type: 'final';
  /** Position in the replayable output; pass the last one you saw as `last_id` to resume exactly. */
  id: string;
  seq: number;
  utterance_id: string;
  text: string;
  /** Always '' in a final (translations follow as `translation` frames); kept for simple clients. */
  translation: string;
  language: string;
  start: number;
  end: number;
  /** Where the VAD heard the speech begin and end (`start`/`end` include padding). */
  speech_start?: number;
  speech_end?: number;
  words: WordTiming[];
  latency: StageLatencies;
  worker: string;
}

export interface TranslationFrame {
  type: 'translation';
  id: string;
  /** Seq of the final this translates. */
  seq: number;
  utterance_id: string;
  language: string;
  text: string;
  source: string;
  engine: string;
}

export interface WarningFrame {
  type: 'warning';
  code: string;
  message: string;
}

export interface ErrorFrame {
  type: 'error';
  code: string;
  message: string;
  /** Set when the error replaces the final of an utterance (it then has `seq` and `id`). */
  utterance_id?: string;
  seq?: number;
  id?: string;
  retryable?: boolean;
}

/**
 * Semantic turn detection only: where the server is with the current utterance's turn.
 * `eager_end_of_turn`: its speculative text (`text`) is a complete turn, so the final follows
 * after a short silence; `turn_resumed`: speech came back after that, the turn goes on;
 * `end_of_turn`: the utterance ended and its final follows, `trigger` saying why (`model`: the
 * text ended it early, `timeout`: the longest silence passed, `manual`: a finalize).
 */
export interface TurnFrame {
  type: 'turn';
  event: 'eager_end_of_turn' | 'turn_resumed' | 'end_of_turn';
  /** The utterance's index in the session (its utterance_id ends in `:<index>`). */
  index: number;
  text?: string;
  trigger?: 'model' | 'timeout' | 'manual';
}

export interface ClosedFrame {
  type: 'closed';
  last_seq: number;
}

/** A session published as a live room (docs/rooms.md): sent to its speaker connection(s). */
export interface RoomFrame {
  type: 'room';
  room_id: string;
  code: string;
  join_url: string;
  /** The join link as an SVG QR code. */
  qr_svg: string;
  /** Lets more speakers join (`room=<id>&room_key=`) and ends the room; only to the creator. */
  room_key?: string;
  speaker: string;
  passcode: boolean;
  status: 'live' | 'ended';
  /** Connected listeners per language (`original` = the spoken language). */
  listeners: Record<string, number>;
  /** Languages every final is translated into for listeners right now. */
  languages: string[];
}

export type ServerFrame =
  | SessionFrame
  | RoomFrame
  | InterimFrame
  | FinalFrame
  | TranslationFrame
  | WarningFrame
  | ErrorFrame
  | TurnFrame
  | ClosedFrame;

/** Frames that are written to the session outbox and replayed on resume. */
export type ReplayableFrame = FinalFrame | TranslationFrame | ErrorFrame;

// ---- Client frames (binary frames are audio) ----

/** Configuration a client may send: any subset of SessionConfig, plus resume and room fields. */
export type ConfigFrame = { type: 'config' } & Partial<SessionConfig> & {
    resume?: string;
    last_seq?: number;
    last_id?: string;
    room?: unknown;
  };

export type ClientFrame =
  | ConfigFrame
  | { type: 'finalize' }
  | { type: 'keepalive' }
  | { type: 'refresh' }
  | { type: 'close' };
