/**
 * The gateway's WebSocket protocol as the clients see it (docs/protocol.md). Shared by the CLI
 * (Node) and the web app (browser): no Node or DOM APIs here, and no runtime imports.
 *
 * The frames on the wire are defined once, in src/contracts/stream-frames.ts (the gateway writes
 * them from there); parseServerFrame reads them by those field names and turns each into the
 * camelCase view below, lenient about fields older servers did not send.
 */
import type * as Wire from '../../contracts/stream-frames';

export type { WordTiming } from '../../contracts/stream-frames';
type WordTiming = Wire.WordTiming;

/** The session's configuration as the gateway echoes it (snake_case, as on the wire). */
export type EffectiveConfig = Partial<Wire.SessionConfig> & { [key: string]: unknown };

export interface SessionFrame {
  type: 'session';
  sessionId: string;
  resumeToken: string;
  config: EffectiveConfig;
  /** True when this connection resumed an earlier session. */
  resumed: boolean;
  /** Seq of the last final the session delivered so far (0 for none). */
  lastSeq: number;
}

export interface RealtimeFrame {
  type: 'realtime';
  text: string;
  /** The start of `text` the server will not revise (LocalAgreement-2); absent from older servers. */
  committed?: string;
  /** The rest of `text`, which may still change. */
  tentative?: string;
  /** Latest interim translation into the first target ('' when none). */
  translation?: string | Record<string, string> | null;
  utteranceId?: string;
  language?: string;
  /** The echo of a delivered final or translation, not an interim. */
  final?: boolean;
}

export interface FinalFrame {
  type: 'final';
  /** Position in the session's replayable output, for an exact resume. */
  id?: string;
  utteranceId: string;
  seq: number;
  text: string;
  language: string;
  start: number;
  end: number;
  /** Where the server's VAD heard the speech begin and end (absent from older servers). */
  speechStart?: number;
  speechEnd?: number;
  words?: WordTiming[];
  latency?: Record<string, number | undefined>;
  worker?: string;
}

export interface TranslationFrame {
  type: 'translation';
  id?: string;
  utteranceId: string;
  language: string;
  text: string;
  /** Seq of the final this translates. */
  seq?: number;
}

export interface WarningFrame {
  type: 'warning';
  code?: string;
  message: string;
}

export interface ErrorFrame {
  type: 'error';
  code: string;
  message: string;
  /** Set when the error takes the place of an utterance's final. */
  id?: string;
  seq?: number;
  utteranceId?: string;
}

export interface ClosedFrame {
  type: 'closed';
  lastSeq?: number;
}

/** The session is published as a live room (docs/rooms.md). */
export interface RoomFrame {
  type: 'room';
  roomId: string;
  code: string;
  joinUrl: string;
  qrSvg: string;
  /** Only to the connection that created the room: more speakers, and ending it. */
  roomKey?: string;
  speaker: string;
  passcode: boolean;
  status: 'live' | 'ended';
  listeners: Record<string, number>;
  languages: string[];
}

export type ServerFrame =
  | SessionFrame
  | RoomFrame
  | RealtimeFrame
  | FinalFrame
  | TranslationFrame
  | WarningFrame
  | ErrorFrame
  | ClosedFrame;

export type ParseResult = { ok: true; frame: ServerFrame } | { ok: false; reason: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): value is string {
  return typeof value === 'string';
}

function num(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function optStr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function optNum(value: unknown): number | undefined {
  return num(value) ? value : undefined;
}

/**
 * Checks the fields each frame type needs and gives them camelCase names (the gateway writes
 * snake_case: session_id, resume_token, utterance_id, last_seq). Unknown types are reported, not
 * thrown.
 */
export function parseServerFrame(data: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (!isRecord(value) || !str(value.type)) return { ok: false, reason: 'no type field' };
  const v = value;
  /** A field by its wire name (checked against the contract), or its camelCase spelling. */
  const pick = <F extends Wire.ServerFrame>(snake: keyof F & string, camel: string): unknown =>
    v[snake] ?? v[camel];
  const bad = (what: string): ParseResult => ({
    ok: false,
    reason: `${String(v.type)} frame without ${what}`,
  });
  const utteranceId = pick<Wire.FinalFrame>('utterance_id', 'utteranceId');
  switch (v.type) {
    case 'session': {
      const sessionId = pick<Wire.SessionFrame>('session_id', 'sessionId');
      const resumeToken = pick<Wire.SessionFrame>('resume_token', 'resumeToken');
      if (!str(sessionId)) return bad('session_id');
      if (!str(resumeToken)) return bad('resume_token');
      return {
        ok: true,
        frame: {
          type: 'session',
          sessionId,
          resumeToken,
          config: isRecord(v.config) ? v.config : {},
          resumed: v.resumed === true,
          lastSeq: optNum(pick<Wire.SessionFrame>('last_seq', 'lastSeq')) ?? 0,
        },
      };
    }
    case 'realtime':
      if (!str(v.text)) return bad('text');
      return {
        ok: true,
        frame: {
          type: 'realtime',
          text: v.text,
          ...(str(v.committed) ? { committed: v.committed } : {}),
          ...(str(v.tentative) ? { tentative: v.tentative } : {}),
          translation: v.translation as RealtimeFrame['translation'],
          utteranceId: optStr(utteranceId),
          language: optStr(v.language),
          ...(v.final === true ? { final: true } : {}),
        },
      };
    case 'final':
      if (!str(v.text)) return bad('text');
      if (!num(v.seq)) return bad('seq');
      if (!str(utteranceId)) return bad('utterance_id');
      return {
        ok: true,
        frame: {
          type: 'final',
          id: optStr(v.id),
          utteranceId,
          seq: v.seq,
          text: v.text,
          language: optStr(v.language) ?? '',
          start: optNum(v.start) ?? 0,
          end: optNum(v.end) ?? 0,
          ...(optNum(pick<Wire.FinalFrame>('speech_start', 'speechStart')) !== undefined
            ? { speechStart: optNum(pick<Wire.FinalFrame>('speech_start', 'speechStart')) }
            : {}),
          ...(optNum(pick<Wire.FinalFrame>('speech_end', 'speechEnd')) !== undefined
            ? { speechEnd: optNum(pick<Wire.FinalFrame>('speech_end', 'speechEnd')) }
            : {}),
          words: Array.isArray(v.words) ? (v.words as WordTiming[]) : undefined,
          latency: isRecord(v.latency)
            ? (v.latency as Record<string, number | undefined>)
            : undefined,
          worker: optStr(v.worker),
        },
      };
    case 'translation':
      if (!str(v.text)) return bad('text');
      if (!str(v.language)) return bad('language');
      if (!str(utteranceId)) return bad('utterance_id');
      return {
        ok: true,
        frame: {
          type: 'translation',
          id: optStr(v.id),
          utteranceId,
          language: v.language,
          text: v.text,
          seq: optNum(v.seq),
        },
      };
    case 'warning':
      return {
        ok: true,
        frame: { type: 'warning', code: optStr(v.code), message: optStr(v.message) ?? '' },
      };
    case 'error':
      return {
        ok: true,
        frame: {
          type: 'error',
          code: optStr(v.code) ?? 'unknown',
          message: optStr(v.message) ?? '',
          id: optStr(v.id),
          seq: optNum(v.seq),
          utteranceId: optStr(utteranceId),
        },
      };
    case 'closed':
      return {
        ok: true,
        frame: { type: 'closed', lastSeq: optNum(pick<Wire.ClosedFrame>('last_seq', 'lastSeq')) },
      };
    case 'room': {
      const roomId = pick<Wire.RoomFrame>('room_id', 'roomId');
      const joinUrl = pick<Wire.RoomFrame>('join_url', 'joinUrl');
      if (!str(roomId) || !str(v.code) || !str(joinUrl)) return bad('room_id, code or join_url');
      const listeners = isRecord(v.listeners) ? v.listeners : {};
      return {
        ok: true,
        frame: {
          type: 'room',
          roomId,
          code: v.code,
          joinUrl,
          qrSvg: optStr(pick<Wire.RoomFrame>('qr_svg', 'qrSvg')) ?? '',
          roomKey: optStr(pick<Wire.RoomFrame>('room_key', 'roomKey')),
          speaker: optStr(v.speaker) ?? '',
          passcode: v.passcode === true,
          status: v.status === 'ended' ? 'ended' : 'live',
          listeners: Object.fromEntries(
            Object.entries(listeners).filter((e): e is [string, number] => num(e[1])),
          ),
          languages: Array.isArray(v.languages) ? v.languages.filter(str) : [],
        },
      };
    }
    default:
      return { ok: false, reason: `unknown frame type "${String(v.type)}"` };
  }
}

/** What the client may send as text frames. */
export interface ConfigOptions {
  source?: string;
  targets?: string[];
  sampleRate?: number;
  encoding?: 'pcm_s16le' | 'pcm_f32le';
  interim?: boolean;
  interimTranslations?: boolean;
}

const clientFrame = (frame: Wire.ClientFrame): string => JSON.stringify(frame);

export function configFrame(options: ConfigOptions): string {
  const frame: Wire.ConfigFrame = { type: 'config' };
  if (options.source !== undefined) frame.source = options.source;
  if (options.targets !== undefined) frame.targets = options.targets;
  if (options.sampleRate !== undefined) frame.sample_rate = options.sampleRate;
  if (options.encoding !== undefined) frame.encoding = options.encoding;
  if (options.interim !== undefined) frame.interim_results = options.interim;
  if (options.interimTranslations !== undefined) {
    frame.interim_translations = options.interimTranslations;
  }
  return clientFrame(frame);
}

export const finalizeFrame = (): string => clientFrame({ type: 'finalize' });
export const keepaliveFrame = (): string => clientFrame({ type: 'keepalive' });
export const closeFrame = (): string => clientFrame({ type: 'close' });

/**
 * What a typing client types for an interim: only its committed part (words the server will not
 * revise), so typed text is not erased and retyped; the whole text from servers without it.
 */
export function typableInterim(frame: RealtimeFrame): string {
  return frame.committed ?? frame.text;
}

/** The realtime frame's translation for one language, whichever shape the server used. */
export function realtimeTranslation(frame: RealtimeFrame, language?: string): string {
  const t = frame.translation;
  if (!t) return '';
  if (typeof t === 'string') return t;
  if (language && typeof t[language] === 'string') return t[language];
  const first = Object.values(t).find((x) => typeof x === 'string');
  return first ?? '';
}

/** Readable words for the error codes the gateway sends and the close codes it uses. */
const ERROR_WORDS: Record<string, string> = {
  invalid_json: 'The server could not read a message from this client.',
  unknown_type: 'The server did not understand a message from this client.',
  invalid_config: 'The server rejected the language or audio settings.',
  unsupported_sample_rate: 'The audio sample rate is not supported (8000 to 48000 Hz).',
  unsupported_encoding: 'The audio encoding is not supported.',
  overloaded: 'The server is busy right now. Please try again in a moment.',
  frame_too_large: 'An audio chunk was too large for the server.',
  unauthorized: 'The server refused the connection: not authorised.',
  session_not_found: 'The session to resume was not found (it may have expired).',
  invalid_resume: 'The client asked to resume from an invalid position.',
  session_taken_over: 'This session was taken over by another connection.',
  enqueue_failed: 'Part of the audio could not be queued for transcription.',
  final_missing: 'No transcript came back for part of the audio.',
  unavailable: 'The server cannot reach its session store right now. Please try again.',
  internal: 'The server had an internal problem.',
  stt_failed: 'Transcription failed for part of the audio.',
  translation_failed: 'Translation failed for part of the text.',
};

export function describeError(code: string, message?: string): string {
  const words = ERROR_WORDS[code];
  if (words && message) return `${words} (${message})`;
  if (words) return words;
  if (message) return message.charAt(0).toUpperCase() + message.slice(1);
  return `The server reported a problem (${code}).`;
}

const CLOSE_WORDS: Record<number, string> = {
  1000: 'Connection closed.',
  1001: 'The server is going away (restart or shutdown).',
  1006: 'The connection dropped.',
  1008: 'The server refused the connection (policy or authentication).',
  1009: 'A message was too large for the server.',
  1011: 'The server had an internal error.',
  1012: 'The server is restarting.',
  1013: 'The server is overloaded; try again later.',
  4000: 'The server rejected the request.',
  4001: 'The audio sample rate is not supported.',
  4002: 'The audio encoding is not supported.',
  4003: 'The session to resume was not found (it may have expired).',
  4004: 'This session was taken over by another connection.',
};

export function describeClose(code: number, reason?: string): string {
  const words =
    CLOSE_WORDS[code] ?? (code >= 4000 && code < 5000 ? 'The server rejected the stream.' : '');
  if (words && reason) return `${words} (${reason})`;
  return words || reason || `Connection closed (code ${code}).`;
}
