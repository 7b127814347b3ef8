/**
 * The gateway's WebSocket protocol as the clients see it (docs/protocol.md). Shared by the CLI
 * (Node) and the web app (browser): no Node or DOM APIs here, and no runtime imports.
 */

export interface WordTiming {
  word: string;
  start: number;
  end: number;
  probability?: number;
}

export interface EffectiveConfig {
  source?: string;
  language?: string;
  targets?: string[];
  sample_rate?: number;
  encoding?: string;
  interim?: boolean;
  [key: string]: unknown;
}

export interface SessionFrame {
  type: 'session';
  sessionId: string;
  resumeToken: string;
  config: EffectiveConfig;
  /** Present on a resumed session: the last sequence number the server knows we saw. */
  resumed?: boolean;
}

export interface RealtimeFrame {
  type: 'realtime';
  text: string;
  /** The seed sends one string; with several targets the gateway may send one per language. */
  translation?: string | Record<string, string> | null;
  utteranceId?: string;
}

export interface FinalFrame {
  type: 'final';
  utteranceId: string;
  seq: number;
  text: string;
  language: string;
  start: number;
  end: number;
  words?: WordTiming[];
  latency?: Record<string, number | undefined>;
  worker?: string;
}

export interface TranslationFrame {
  type: 'translation';
  utteranceId: string;
  language: string;
  text: string;
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
}

export interface ClosedFrame {
  type: 'closed';
}

export type ServerFrame =
  | SessionFrame
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

/** Checks the fields each frame type needs; unknown types are reported, not thrown. */
export function parseServerFrame(data: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (!isRecord(value) || !str(value.type)) return { ok: false, reason: 'no type field' };
  const v = value;
  const bad = (what: string): ParseResult => ({
    ok: false,
    reason: `${String(v.type)} frame without ${what}`,
  });
  switch (v.type) {
    case 'session':
      if (!str(v.sessionId)) return bad('sessionId');
      if (!str(v.resumeToken)) return bad('resumeToken');
      return {
        ok: true,
        frame: { ...v, config: isRecord(v.config) ? v.config : {} } as unknown as SessionFrame,
      };
    case 'realtime':
      if (!str(v.text)) return bad('text');
      return { ok: true, frame: v as unknown as RealtimeFrame };
    case 'final':
      if (!str(v.text)) return bad('text');
      if (!num(v.seq)) return bad('seq');
      if (!str(v.utteranceId)) return bad('utteranceId');
      return {
        ok: true,
        frame: {
          ...v,
          language: str(v.language) ? v.language : '',
          start: num(v.start) ? v.start : 0,
          end: num(v.end) ? v.end : 0,
        } as unknown as FinalFrame,
      };
    case 'translation':
      if (!str(v.text)) return bad('text');
      if (!str(v.language)) return bad('language');
      if (!str(v.utteranceId)) return bad('utteranceId');
      return { ok: true, frame: v as unknown as TranslationFrame };
    case 'warning':
      return {
        ok: true,
        frame: { ...v, message: str(v.message) ? v.message : '' } as WarningFrame,
      };
    case 'error':
      return {
        ok: true,
        frame: {
          type: 'error',
          code: str(v.code) ? v.code : 'unknown',
          message: str(v.message) ? v.message : '',
        },
      };
    case 'closed':
      return { ok: true, frame: { type: 'closed' } };
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
}

export function configFrame(options: ConfigOptions): string {
  const frame: Record<string, unknown> = { type: 'config' };
  if (options.source !== undefined) frame.source = options.source;
  if (options.targets !== undefined) frame.targets = options.targets;
  if (options.sampleRate !== undefined) frame.sample_rate = options.sampleRate;
  if (options.encoding !== undefined) frame.encoding = options.encoding;
  if (options.interim !== undefined) frame.interim = options.interim;
  return JSON.stringify(frame);
}

export const finalizeFrame = (): string => JSON.stringify({ type: 'finalize' });
export const keepaliveFrame = (): string => JSON.stringify({ type: 'keepalive' });
export const closeFrame = (): string => JSON.stringify({ type: 'close' });

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
  session_expired: 'The session expired; a new one was started.',
  resume_failed: 'The previous session could not be resumed; a new one was started.',
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
  1013: 'The server is overloaded; try again later.',
};

export function describeClose(code: number, reason?: string): string {
  const words =
    CLOSE_WORDS[code] ?? (code >= 4000 && code < 5000 ? 'The server rejected the stream.' : '');
  if (words && reason) return `${words} (${reason})`;
  return words || reason || `Connection closed (code ${code}).`;
}
