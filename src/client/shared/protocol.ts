/**
 * The gateway's WebSocket protocol as the clients see it (docs/protocol.md). Shared by the CLI
 * (Node) and the web app (browser): no Node or DOM APIs here, and no runtime imports.
 *
 * The frames are the wire types of src/contracts/stream-frames.ts, the one definition the gateway
 * writes from: parseServerFrame checks an incoming frame against it and hands it on under its wire
 * field names (snake_case), with the fields older servers and room streams leave out filled in.
 */
import type * as Wire from '../../contracts/stream-frames';
import type { InterimFrame } from '../../contracts/stream-frames';

export type {
  ClosedFrame,
  ErrorFrame,
  InterimFrame,
  RoomFrame,
  SessionFrame,
  TranslationFrame,
  WarningFrame,
  WordTiming,
} from '../../contracts/stream-frames';

/** Fields of a final that room streams (docs/rooms.md) and older servers do not send. */
type FinalExtras = 'id' | 'words' | 'latency' | 'worker';

/** A final as received: the contract's FinalFrame, with the extras a client cannot rely on. */
export type FinalFrame = Omit<Wire.FinalFrame, FinalExtras> &
  Partial<Pick<Wire.FinalFrame, FinalExtras>>;

/** Any frame parseServerFrame accepts: the contract's ServerFrame (finals as above). */
export type ServerFrame = Exclude<Wire.ServerFrame, Wire.FinalFrame> | FinalFrame;

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
 * The frame as received, with the fields the client checked (or filled in) replaced: names and
 * types are the contract's. A field checked to `undefined` (absent or of the wrong type) is left
 * out.
 */
function accept<F extends ServerFrame>(
  received: Record<string, unknown>,
  checked: { [K in keyof F]?: F[K] },
): ParseResult {
  const frame: Record<string, unknown> = { ...received, ...checked };
  for (const key of Object.keys(checked)) if (frame[key] === undefined) delete frame[key];
  return { ok: true, frame: frame as unknown as F };
}

/**
 * Checks that a text frame is JSON with a known `type` and the fields that type needs. Fields
 * older servers did not send are filled in ('', 0, false, empty lists) or, where the contract
 * has them optional, left out. Unknown types are reported, not thrown.
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
  const bad = (what: string): ParseResult => ({
    ok: false,
    reason: `${String(v.type)} frame without ${what}`,
  });
  switch (v.type) {
    case 'session':
      if (!str(v.session_id)) return bad('session_id');
      if (!str(v.resume_token)) return bad('resume_token');
      return accept<Wire.SessionFrame>(v, {
        resumed: v.resumed === true,
        last_seq: optNum(v.last_seq) ?? 0,
        // Echoed as the gateway sent it; the clients do not read it.
        config: (isRecord(v.config) ? v.config : {}) as unknown as Wire.SessionConfig,
      });
    case 'realtime':
      if (!str(v.text)) return bad('text');
      return accept<Wire.InterimFrame>(v, {
        utterance_id: optStr(v.utterance_id) ?? '',
        committed: optStr(v.committed),
        tentative: optStr(v.tentative),
        translation: optStr(v.translation) ?? '',
        language: optStr(v.language) ?? '',
        final: v.final === true ? true : undefined,
      });
    case 'final':
      if (!str(v.text)) return bad('text');
      if (!num(v.seq)) return bad('seq');
      if (!str(v.utterance_id)) return bad('utterance_id');
      return accept<FinalFrame>(v, {
        id: optStr(v.id),
        translation: optStr(v.translation) ?? '',
        language: optStr(v.language) ?? '',
        start: optNum(v.start) ?? 0,
        end: optNum(v.end) ?? 0,
        speech_start: optNum(v.speech_start),
        speech_end: optNum(v.speech_end),
        words: Array.isArray(v.words) ? (v.words as Wire.WordTiming[]) : undefined,
        latency: isRecord(v.latency) ? (v.latency as unknown as Wire.StageLatencies) : undefined,
        worker: optStr(v.worker),
      });
    case 'translation':
      if (!str(v.text)) return bad('text');
      if (!str(v.language)) return bad('language');
      if (!str(v.utterance_id)) return bad('utterance_id');
      return accept<Wire.TranslationFrame>(v, {
        id: optStr(v.id) ?? '',
        seq: optNum(v.seq) ?? 0,
        source: optStr(v.source) ?? '',
        engine: optStr(v.engine) ?? '',
      });
    case 'warning':
      return accept<Wire.WarningFrame>(v, {
        code: optStr(v.code) ?? '',
        message: optStr(v.message) ?? '',
      });
    case 'error':
      return accept<Wire.ErrorFrame>(v, {
        code: optStr(v.code) ?? 'unknown',
        message: optStr(v.message) ?? '',
        id: optStr(v.id),
        seq: optNum(v.seq),
        utterance_id: optStr(v.utterance_id),
        retryable: typeof v.retryable === 'boolean' ? v.retryable : undefined,
      });
    case 'closed':
      return accept<Wire.ClosedFrame>(v, { last_seq: optNum(v.last_seq) ?? 0 });
    case 'turn':
      if (
        v.event !== 'eager_end_of_turn' &&
        v.event !== 'turn_resumed' &&
        v.event !== 'end_of_turn'
      ) {
        return bad('a known event');
      }
      if (!num(v.index)) return bad('index');
      return accept<Wire.TurnFrame>(v, {
        text: optStr(v.text),
        trigger:
          v.trigger === 'model' || v.trigger === 'timeout' || v.trigger === 'manual'
            ? v.trigger
            : undefined,
      });
    case 'room': {
      if (!str(v.room_id) || !str(v.code) || !str(v.join_url)) {
        return bad('room_id, code or join_url');
      }
      const listeners = isRecord(v.listeners) ? v.listeners : {};
      return accept<Wire.RoomFrame>(v, {
        qr_svg: optStr(v.qr_svg) ?? '',
        room_key: optStr(v.room_key),
        speaker: optStr(v.speaker) ?? '',
        passcode: v.passcode === true,
        status: v.status === 'ended' ? 'ended' : 'live',
        listeners: Object.fromEntries(
          Object.entries(listeners).filter((e): e is [string, number] => num(e[1])),
        ),
        languages: Array.isArray(v.languages) ? v.languages.filter(str) : [],
      });
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
export function typableInterim(frame: InterimFrame): string {
  return frame.committed ?? frame.text;
}

/** Readable words for the error codes the gateway sends and the close codes it uses. */
const ERROR_WORDS: Record<string, string> = {
  invalid_json: 'The server could not read a message from this client.',
  unknown_type: 'The server did not understand a message from this client.',
  invalid_config: 'The server rejected the language or audio settings.',
  unsupported_sample_rate:
    'The audio sample rate is not supported (use 8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100 or 48000 Hz).',
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
