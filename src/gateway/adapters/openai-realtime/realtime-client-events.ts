import {
  firstMessage,
  issuePath,
  jsonText,
  LANGUAGE_CODE,
  z,
} from '../../../common/validation/schema-parse';
import { type RawAudioEncoding } from '../../audio/telephony-audio-decoder';

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
  /** server_vad: a fixed silence ends a turn; semantic_vad: the turn's text decides (src/turns). */
  type?: 'server_vad' | 'semantic_vad';
  /** semantic_vad: how soon a turn ends (low waits longest). */
  eagerness?: 'low' | 'medium' | 'high' | 'auto';
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

const NOT_AN_OBJECT = 'events must be JSON objects';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// Each field's messages name it by `param`, its path in the event: the `param` of the error.

/** An optional string (null is absent). */
function optionalString(param: string) {
  return z
    .string({ error: `${param} must be a string` })
    .nullish()
    .transform((value) => value ?? undefined);
}

function optionalNumber(param: string, min: number, max: number) {
  const message = `${param} must be a number from ${min} to ${max}`;
  return z
    .number({ error: message })
    .min(min, { error: message })
    .max(max, { error: message })
    .nullish()
    .transform((value) => value ?? undefined);
}

const BETA_FORMATS = {
  pcm16: { encoding: 'linear16', sampleRate: PCM16_RATE },
  g711_ulaw: { encoding: 'mulaw', sampleRate: G711_RATE },
  g711_alaw: { encoding: 'alaw', sampleRate: G711_RATE },
} as const satisfies Record<string, RealtimeAudioFormat>;

const betaFormat = z
  .enum(Object.keys(BETA_FORMATS) as (keyof typeof BETA_FORMATS)[], {
    error: (issue) =>
      `input_audio_format ${JSON.stringify(issue.input)} is not supported: use pcm16, g711_ulaw or g711_alaw`,
  })
  .nullish()
  .transform((name): RealtimeAudioFormat | undefined => (name ? BETA_FORMATS[name] : undefined));

const GA_FORMATS = {
  'audio/pcm': BETA_FORMATS.pcm16,
  'audio/pcmu': BETA_FORMATS.g711_ulaw,
  'audio/pcma': BETA_FORMATS.g711_alaw,
} as const satisfies Record<string, RealtimeAudioFormat>;

function gaFormat(param: string) {
  return z
    .object(
      {
        type: z.enum(Object.keys(GA_FORMATS) as (keyof typeof GA_FORMATS)[], {
          error: (issue) =>
            `${param}.type ${JSON.stringify(issue.input)} is not supported: use audio/pcm, audio/pcmu or audio/pcma`,
        }),
        rate: z.unknown().optional(),
      },
      { error: `${param} must be an object` },
    )
    .refine(({ type, rate }) => type !== 'audio/pcm' || rate === undefined || rate === PCM16_RATE, {
      path: ['rate'],
      error: `${param}.rate must be ${PCM16_RATE}`,
    })
    .nullish()
    .transform((format): RealtimeAudioFormat | undefined =>
      format ? GA_FORMATS[format.type] : undefined,
    );
}

/** The transcription settings (an object replaces the previous one as a whole). */
function transcription(param: string) {
  return z
    .object(
      {
        prompt: z
          .string({ error: `${param}.prompt must be a string` })
          .max(MAX_PROMPT_CHARS, {
            error: `${param}.prompt is longer than ${MAX_PROMPT_CHARS} characters`,
          })
          .nullish()
          .transform((value) => value ?? undefined),
        // '' asks to detect the language, like an absent one.
        language: optionalString(`${param}.language`)
          .transform((value) => (value ? value.toLowerCase() : undefined))
          .refine((value) => value === undefined || LANGUAGE_CODE.test(value), {
            error: (issue) =>
              `language ${JSON.stringify(issue.input)} is not an ISO-639-1 code like "en"`,
          }),
        model: optionalString(`${param}.model`),
      },
      { error: `${param} must be an object` },
    )
    .nullish()
    .transform((settings) => settings ?? {});
}

/** null turns server VAD off: the client commits the buffer itself. */
function turnDetection(param: string) {
  return z
    .object(
      {
        type: z
          .enum(['server_vad', 'semantic_vad'], {
            error: (issue) =>
              `${param}.type ${JSON.stringify(issue.input)} is not supported: use server_vad or semantic_vad`,
          })
          .optional(),
        eagerness: z
          .enum(['low', 'medium', 'high', 'auto'], {
            error: (issue) =>
              `${param}.eagerness ${JSON.stringify(issue.input)} is not supported: use low, medium, high or auto`,
          })
          .optional(),
        threshold: optionalNumber(`${param}.threshold`, 0, 1),
        prefix_padding_ms: optionalNumber(`${param}.prefix_padding_ms`, 0, 5000),
        silence_duration_ms: optionalNumber(`${param}.silence_duration_ms`, 10, 10_000),
      },
      { error: `${param} must be an object or null` },
    )
    .transform((vad): RealtimeTurnDetection => ({
      ...(vad.type ? { type: vad.type } : {}),
      ...(vad.eagerness ? { eagerness: vad.eagerness } : {}),
      threshold: vad.threshold,
      prefixPaddingMs: vad.prefix_padding_ms,
      silenceDurationMs: vad.silence_duration_ms,
    }))
    .nullable()
    .optional();
}

const NOT_A_SESSION = 'session must be an object';

/** The beta dialect's flat session (GA `session.update`s without `audio` are read the same way). */
const flatSession = z
  .object(
    {
      input_audio_format: betaFormat,
      input_audio_transcription: transcription('session.input_audio_transcription'),
      turn_detection: turnDetection('session.turn_detection'),
    },
    { error: NOT_A_SESSION },
  )
  .transform((session) => ({
    format: session.input_audio_format,
    ...session.input_audio_transcription,
    turnDetection: session.turn_detection,
  }));

/** `audio` and `audio.input` that are not objects are read as empty. */
const objectOrEmpty = (value: unknown): unknown => (isObject(value) ? value : {});

const gaInput = z.object({
  format: gaFormat('session.audio.input.format'),
  transcription: transcription('session.audio.input.transcription'),
  turn_detection: turnDetection('session.audio.input.turn_detection'),
});

const gaSession = z
  .object(
    {
      type: z
        .literal('transcription', {
          error: (issue) =>
            `session.type ${JSON.stringify(issue.input)} is not served here: this endpoint transcribes (type "transcription")`,
        })
        .optional(),
      audio: z.preprocess(objectOrEmpty, z.object({ input: z.preprocess(objectOrEmpty, gaInput) })),
    },
    { error: NOT_A_SESSION },
  )
  .transform(({ audio: { input } }) => ({
    format: input.format,
    ...input.transcription,
    turnDetection: input.turn_detection,
  }));

/** A GA `session.update`'s session: nested under `audio` when it has one, flat otherwise. */
const gaOrFlatSession = z.unknown().transform((session, ctx) => {
  const schema = isObject(session) && session.audio !== undefined ? gaSession : flatSession;
  const result = schema.safeParse(session);
  if (result.success) return result.data;
  for (const { message, path } of result.error.issues) {
    ctx.issues.push({ code: 'custom', message, path, input: session });
  }
  return z.NEVER;
});

/** Never refused: an `event_id` that is not a string is left out of the answer. */
const eventId = z.string().optional().catch(undefined);

const realtimeClientEventSchema = z.discriminatedUnion(
  'type',
  [
    z
      .object({
        type: z.literal('transcription_session.update'),
        event_id: eventId,
        session: flatSession,
      })
      .transform((event) => ({
        type: 'session.update' as const,
        eventId: event.event_id,
        update: { dialect: 'beta' as const, ...event.session },
      })),
    z
      .object({ type: z.literal('session.update'), event_id: eventId, session: gaOrFlatSession })
      .transform((event) => ({
        type: event.type,
        eventId: event.event_id,
        update: { dialect: 'ga' as const, ...event.session },
      })),
    z
      .object({
        type: z.literal('input_audio_buffer.append'),
        event_id: eventId,
        audio: z
          .string({ error: 'audio must be base64-encoded audio bytes' })
          .regex(/^[A-Za-z0-9+/]*={0,2}$/, { error: 'audio must be base64-encoded audio bytes' }),
      })
      .transform((event) => ({
        type: event.type,
        eventId: event.event_id,
        audio: Buffer.from(event.audio, 'base64'),
      })),
    z
      .object({
        type: z.enum(['input_audio_buffer.commit', 'input_audio_buffer.clear']),
        event_id: eventId,
      })
      .transform((event) => ({ type: event.type, eventId: event.event_id })),
  ],
  {
    error: (issue) =>
      isObject(issue.input)
        ? `event type ${JSON.stringify(issue.input.type)} is not supported in transcription sessions`
        : NOT_AN_OBJECT,
  },
) satisfies z.ZodType<RealtimeClientEvent>;

const eventJson = jsonText(NOT_AN_OBJECT);

/** The error code of a refused event: by where its first issue is. */
function errorCode(param: string): string {
  if (param === '') return 'invalid_json';
  return param === 'type' ? 'invalid_type' : 'invalid_value';
}

export function parseRealtimeClientEvent(text: string): RealtimeClientEvent {
  const json = eventJson.safeParse(text);
  if (!json.success) {
    throw new RealtimeEventError(NOT_AN_OBJECT, null, undefined, 'invalid_json');
  }
  const result = realtimeClientEventSchema.safeParse(json.data);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue ? issuePath(issue) : '';
  const id =
    isObject(json.data) && typeof json.data.event_id === 'string' ? json.data.event_id : undefined;
  throw new RealtimeEventError(firstMessage(result.error), param || null, id, errorCode(param));
}
