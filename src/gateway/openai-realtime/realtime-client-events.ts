import { RawAudioEncoding } from '../audio/telephony-audio-decoder';

/**
 * Client events of OpenAI's Realtime API in transcription mode, in both of its dialects: the
 * beta `transcription_session.update` (flat `input_audio_*` fields) and the GA `session.update`
 * with `session.type: "transcription"` (nested `audio.input`).
 */
export interface RealtimeAudioFormat {
  encoding: RawAudioEncoding;
  sampleRate: number;
}

export interface RealtimeTurnDetection {
  /** Speech probability threshold 0..1 (accepted; our VAD keeps its own tuning). */
  threshold?: number;
  prefixPaddingMs?: number;
  silenceDurationMs?: number;
}

/** What a session update asks for; absent fields leave the session as it is. */
export interface RealtimeSessionUpdate {
  dialect: 'beta' | 'ga';
  format?: RealtimeAudioFormat;
  language?: string;
  prompt?: string;
  model?: string;
  /** null: no server VAD, the client commits the buffer itself. */
  turnDetection?: RealtimeTurnDetection | null;
}

export type RealtimeClientEvent =
  | { type: 'session.update'; eventId?: string; update: RealtimeSessionUpdate }
  | { type: 'input_audio_buffer.append'; eventId?: string; audio: Buffer }
  | { type: 'input_audio_buffer.commit'; eventId?: string }
  | { type: 'input_audio_buffer.clear'; eventId?: string };

/** A refused client event, reported as OpenAI does: an `error` event naming the parameter. */
export class RealtimeEventError extends Error {
  constructor(
    message: string,
    readonly param: string | null = null,
    readonly eventId?: string,
    readonly code = 'invalid_value',
  ) {
    super(message);
  }
}

export const PCM16_RATE = 24000;
const G711_RATE = 8000;
const MAX_PROMPT_CHARS = 2000;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function optionalString(
  object: Json,
  key: string,
  param: string,
  eventId?: string,
): string | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw new RealtimeEventError(`${param} must be a string`, param, eventId);
  return value;
}

function optionalNumber(
  object: Json,
  key: string,
  param: string,
  range: [number, number],
  eventId?: string,
): number | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < range[0] ||
    value > range[1]
  ) {
    throw new RealtimeEventError(
      `${param} must be a number from ${range[0]} to ${range[1]}`,
      param,
      eventId,
    );
  }
  return value;
}

function betaFormat(value: unknown, eventId?: string): RealtimeAudioFormat | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === 'pcm16') return { encoding: 'linear16', sampleRate: PCM16_RATE };
  if (value === 'g711_ulaw') return { encoding: 'mulaw', sampleRate: G711_RATE };
  if (value === 'g711_alaw') return { encoding: 'alaw', sampleRate: G711_RATE };
  throw new RealtimeEventError(
    `input_audio_format ${JSON.stringify(value)} is not supported: use pcm16, g711_ulaw or g711_alaw`,
    'session.input_audio_format',
    eventId,
  );
}

function gaFormat(value: unknown, eventId?: string): RealtimeAudioFormat | undefined {
  if (value === undefined || value === null) return undefined;
  const param = 'session.audio.input.format';
  if (!isObject(value)) throw new RealtimeEventError(`${param} must be an object`, param, eventId);
  if (value.type === 'audio/pcm') {
    if (value.rate !== undefined && value.rate !== PCM16_RATE) {
      throw new RealtimeEventError(`${param}.rate must be ${PCM16_RATE}`, `${param}.rate`, eventId);
    }
    return { encoding: 'linear16', sampleRate: PCM16_RATE };
  }
  if (value.type === 'audio/pcmu') return { encoding: 'mulaw', sampleRate: G711_RATE };
  if (value.type === 'audio/pcma') return { encoding: 'alaw', sampleRate: G711_RATE };
  throw new RealtimeEventError(
    `${param}.type ${JSON.stringify(value.type)} is not supported: use audio/pcm, audio/pcmu or audio/pcma`,
    `${param}.type`,
    eventId,
  );
}

function turnDetection(
  value: unknown,
  param: string,
  eventId?: string,
): RealtimeTurnDetection | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (!isObject(value))
    throw new RealtimeEventError(`${param} must be an object or null`, param, eventId);
  if (value.type !== undefined && value.type !== 'server_vad' && value.type !== 'semantic_vad') {
    throw new RealtimeEventError(
      `${param}.type ${JSON.stringify(value.type)} is not supported: use server_vad`,
      `${param}.type`,
      eventId,
    );
  }
  return {
    threshold: optionalNumber(value, 'threshold', `${param}.threshold`, [0, 1], eventId),
    prefixPaddingMs: optionalNumber(
      value,
      'prefix_padding_ms',
      `${param}.prefix_padding_ms`,
      [0, 5000],
      eventId,
    ),
    silenceDurationMs: optionalNumber(
      value,
      'silence_duration_ms',
      `${param}.silence_duration_ms`,
      [10, 10_000],
      eventId,
    ),
  };
}

function transcription(
  value: unknown,
  param: string,
  eventId?: string,
): Pick<RealtimeSessionUpdate, 'language' | 'prompt' | 'model'> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new RealtimeEventError(`${param} must be an object`, param, eventId);
  const prompt = optionalString(value, 'prompt', `${param}.prompt`, eventId);
  if (prompt !== undefined && prompt.length > MAX_PROMPT_CHARS) {
    throw new RealtimeEventError(
      `${param}.prompt is longer than ${MAX_PROMPT_CHARS} characters`,
      `${param}.prompt`,
      eventId,
    );
  }
  const language = optionalString(value, 'language', `${param}.language`, eventId);
  return {
    language: language === undefined || language === '' ? undefined : language.toLowerCase(),
    prompt,
    model: optionalString(value, 'model', `${param}.model`, eventId),
  };
}

function sessionUpdate(type: string, session: unknown, eventId?: string): RealtimeSessionUpdate {
  if (!isObject(session))
    throw new RealtimeEventError('session must be an object', 'session', eventId);
  if (type === 'transcription_session.update' || session.audio === undefined) {
    return {
      dialect: type === 'transcription_session.update' ? 'beta' : 'ga',
      format: betaFormat(session.input_audio_format, eventId),
      ...transcription(
        session.input_audio_transcription,
        'session.input_audio_transcription',
        eventId,
      ),
      turnDetection: turnDetection(session.turn_detection, 'session.turn_detection', eventId),
    };
  }
  if (session.type !== undefined && session.type !== 'transcription') {
    throw new RealtimeEventError(
      `session.type ${JSON.stringify(session.type)} is not served here: this endpoint transcribes (type "transcription")`,
      'session.type',
      eventId,
    );
  }
  const input = isObject(session.audio) && isObject(session.audio.input) ? session.audio.input : {};
  return {
    dialect: 'ga',
    format: gaFormat(input.format, eventId),
    ...transcription(input.transcription, 'session.audio.input.transcription', eventId),
    turnDetection: turnDetection(
      input.turn_detection,
      'session.audio.input.turn_detection',
      eventId,
    ),
  };
}

export function parseRealtimeClientEvent(text: string): RealtimeClientEvent {
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch {
    throw new RealtimeEventError('events must be JSON objects', null, undefined, 'invalid_json');
  }
  if (!isObject(event))
    throw new RealtimeEventError('events must be JSON objects', null, undefined, 'invalid_json');
  const eventId = typeof event.event_id === 'string' ? event.event_id : undefined;
  switch (event.type) {
    case 'session.update':
    case 'transcription_session.update':
      return {
        type: 'session.update',
        eventId,
        update: sessionUpdate(event.type, event.session, eventId),
      };
    case 'input_audio_buffer.append': {
      if (typeof event.audio !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(event.audio)) {
        throw new RealtimeEventError('audio must be base64-encoded audio bytes', 'audio', eventId);
      }
      return {
        type: 'input_audio_buffer.append',
        eventId,
        audio: Buffer.from(event.audio, 'base64'),
      };
    }
    case 'input_audio_buffer.commit':
    case 'input_audio_buffer.clear':
      return { type: event.type, eventId };
    default:
      throw new RealtimeEventError(
        `event type ${JSON.stringify(event.type)} is not supported in transcription sessions`,
        'type',
        eventId,
        'invalid_type',
      );
  }
}
