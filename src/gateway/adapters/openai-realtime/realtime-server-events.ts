import { randomBytes } from 'node:crypto';
import { type RealtimeEventError } from './realtime-client-events';

/** Server events of OpenAI's Realtime API in transcription mode. */
export type RealtimeServerEvent = { type: string; event_id: string } & Record<string, unknown>;

export interface RealtimeSessionView {
  id: string;
  dialect: 'beta' | 'ga';
  format: 'pcm16' | 'g711_ulaw' | 'g711_alaw';
  model: string;
  language: string | null;
  prompt: string;
  turnDetection:
    | { type: 'server_vad'; threshold: number; prefixPaddingMs: number; silenceDurationMs: number }
    | { type: 'semantic_vad'; eagerness: 'low' | 'medium' | 'high' | 'auto' }
    | null;
}

const id = (prefix: string): string => `${prefix}_${randomBytes(12).toString('base64url')}`;

export const newItemId = (): string => id('item');
export const newSessionId = (): string => id('sess');

function event(type: string, fields: Record<string, unknown>): RealtimeServerEvent {
  return { type, event_id: id('event'), ...fields };
}

const GA_FORMATS = {
  pcm16: { type: 'audio/pcm', rate: 24000 },
  g711_ulaw: { type: 'audio/pcmu' },
  g711_alaw: { type: 'audio/pcma' },
} as const;

/** The session as the client's dialect describes it. */
function sessionObject(view: RealtimeSessionView): Record<string, unknown> {
  const transcription = { model: view.model, language: view.language, prompt: view.prompt };
  const detection = view.turnDetection;
  const turnDetection =
    detection &&
    (detection.type === 'semantic_vad'
      ? { type: 'semantic_vad', eagerness: detection.eagerness }
      : {
          type: 'server_vad',
          threshold: detection.threshold,
          prefix_padding_ms: detection.prefixPaddingMs,
          silence_duration_ms: detection.silenceDurationMs,
        });
  if (view.dialect === 'beta') {
    return {
      id: view.id,
      object: 'realtime.transcription_session',
      input_audio_format: view.format,
      input_audio_transcription: transcription,
      turn_detection: turnDetection,
      modalities: ['text'],
    };
  }
  return {
    id: view.id,
    object: 'realtime.transcription_session',
    type: 'transcription',
    audio: {
      input: {
        format: GA_FORMATS[view.format],
        transcription,
        turn_detection: turnDetection,
        noise_reduction: null,
      },
    },
  };
}

export function sessionEvent(
  view: RealtimeSessionView,
  phase: 'created' | 'updated',
): RealtimeServerEvent {
  const type = view.dialect === 'beta' ? `transcription_session.${phase}` : `session.${phase}`;
  return event(type, { session: sessionObject(view) });
}

export const speechStarted = (itemId: string, audioStartMs: number): RealtimeServerEvent =>
  event('input_audio_buffer.speech_started', {
    item_id: itemId,
    audio_start_ms: Math.round(audioStartMs),
  });

export const speechStopped = (itemId: string, audioEndMs: number): RealtimeServerEvent =>
  event('input_audio_buffer.speech_stopped', {
    item_id: itemId,
    audio_end_ms: Math.round(audioEndMs),
  });

export const committed = (itemId: string, previousItemId: string | null): RealtimeServerEvent =>
  event('input_audio_buffer.committed', { item_id: itemId, previous_item_id: previousItemId });

/**
 * The user item a committed turn becomes (`conversation.item.created` in beta,
 * `conversation.item.added` in GA); its transcript follows in the transcription events.
 */
export const itemCreated = (
  dialect: RealtimeSessionView['dialect'],
  itemId: string,
  previousItemId: string | null,
): RealtimeServerEvent =>
  event(dialect === 'beta' ? 'conversation.item.created' : 'conversation.item.added', {
    previous_item_id: previousItemId,
    item: {
      id: itemId,
      object: 'realtime.item',
      type: 'message',
      status: 'completed',
      role: 'user',
      content: [{ type: 'input_audio', transcript: null }],
    },
  });

export const cleared = (): RealtimeServerEvent => event('input_audio_buffer.cleared', {});

export const transcriptionDelta = (itemId: string, delta: string): RealtimeServerEvent =>
  event('conversation.item.input_audio_transcription.delta', {
    item_id: itemId,
    content_index: 0,
    delta,
  });

export const transcriptionCompleted = (
  itemId: string,
  transcript: string,
  seconds: number,
): RealtimeServerEvent =>
  event('conversation.item.input_audio_transcription.completed', {
    item_id: itemId,
    content_index: 0,
    transcript,
    usage: { type: 'duration', seconds: Math.round(seconds * 1000) / 1000 },
  });

export const transcriptionFailed = (
  itemId: string,
  code: string,
  message: string,
): RealtimeServerEvent =>
  event('conversation.item.input_audio_transcription.failed', {
    item_id: itemId,
    content_index: 0,
    error: { type: 'transcription_error', code, message, param: null },
  });

/** `server_error`: the server could not serve a valid request (unavailable, overloaded, …). */
export function errorEvent(
  error: RealtimeEventError,
  type: 'invalid_request_error' | 'server_error' = 'invalid_request_error',
): RealtimeServerEvent {
  return event('error', {
    error: {
      type,
      code: error.code,
      message: error.message,
      param: error.param,
      event_id: error.eventId ?? null,
    },
  });
}

/**
 * Turns an utterance's interims into OpenAI deltas, which only ever append: each delta is the
 * part of the committed text (words the stt workers will not change any more) not sent yet. The
 * `completed` event then carries the final transcript, which is authoritative.
 */
export class TranscriptDeltas {
  private readonly sent = new Map<string, string>();

  next(itemId: string, committedText: string): string | undefined {
    const before = this.sent.get(itemId) ?? '';
    const text = committedText.trim();
    if (text.length <= before.length || !text.startsWith(before)) return undefined;
    this.sent.set(itemId, text);
    return text.slice(before.length);
  }

  done(itemId: string): void {
    this.sent.delete(itemId);
  }
}
