import {
  firstMessage,
  numberOrNumericText,
  SAMPLE_RATES_TEXT,
  sampleRateSchema,
  withMessage,
  z,
} from '../../../common/validation/schema-parse';
import { type RawAudioEncoding } from '../../audio/telephony-audio-decoder';

/**
 * The query string of Deepgram's live endpoint (`/v1/listen`), as Deepgram's SDKs send it, read
 * into what our session needs. Formatting and model options (model, smart_format, punctuate,
 * diarize, ...) are accepted and have no effect: whisper punctuates and there is one model.
 */
export type ListenEncoding = RawAudioEncoding;

export interface ListenOptions {
  encoding: ListenEncoding;
  sampleRate: number;
  channels: number;
  /** A language code (`en`, from `en-US`), or undefined to detect it (`multi` or absent). */
  language: string | undefined;
  interimResults: boolean;
  /** Silence in ms that ends an utterance; false = only Finalize/CloseStream end one. */
  endpointingMs: number | false | undefined;
  /** Silence in ms after the last word before an `UtteranceEnd` message; undefined = none. */
  utteranceEndMs: number | undefined;
  vadEvents: boolean;
}

export class ListenOptionsError extends Error {}

const ENCODINGS = ['linear16', 'mulaw', 'alaw'] as const satisfies readonly ListenEncoding[];
const MAX_CHANNELS = 8;

function flag(name: string) {
  return z
    .enum(['true', 'false'], {
      error: (issue) => `${name} must be true or false, not ${JSON.stringify(issue.input)}`,
    })
    .transform((text) => text === 'true')
    .default(false);
}

const notInRange = (name: string, min: number, max: number) => (value: unknown) =>
  `${name} must be an integer from ${min} to ${max}, not ${JSON.stringify(value)}`;

function integer(name: string, min: number, max: number) {
  return withMessage(
    numberOrNumericText.pipe(z.number().int().min(min).max(max)),
    notInRange(name, min, max),
  ).optional();
}

/** What the audio is: checked before the options, so a missing sample_rate is named first. */
const audioFormatSchema = z
  .object({
    encoding: z.enum(ENCODINGS, {
      error: (issue) =>
        issue.input === undefined
          ? `encoding is required: ${ENCODINGS.join(', ')} (containerised audio is not accepted live)`
          : `encoding ${JSON.stringify(issue.input)} is not supported: use ${ENCODINGS.join(', ')}`,
    }),
    sample_rate: sampleRateSchema(
      (value) => `sample_rate must be one of ${SAMPLE_RATES_TEXT}, not ${JSON.stringify(value)}`,
    ).optional(),
  })
  .transform(({ encoding, sample_rate }, ctx) => {
    if (sample_rate !== undefined) return { encoding, sampleRate: sample_rate };
    ctx.issues.push({
      code: 'custom',
      message: `sample_rate is required with encoding=${encoding}`,
      input: sample_rate,
    });
    return z.NEVER;
  });

const listenSettingsSchema = z
  .object({
    language: z.string().optional(),
    // `true` asks for the default endpointing.
    endpointing: z.union(
      [
        z.literal('false').transform(() => false as const),
        z.literal('true').transform(() => undefined),
        integer('endpointing', 10, 10_000),
      ],
      { error: (issue) => notInRange('endpointing', 10, 10_000)(issue.input) },
    ),
    utterance_end_ms: integer('utterance_end_ms', 1000, 10_000),
    interim_results: flag('interim_results'),
    channels: integer('channels', 1, MAX_CHANNELS).default(1),
    vad_events: flag('vad_events'),
  })
  .refine((query) => query.utterance_end_ms === undefined || query.interim_results, {
    error: 'utterance_end_ms needs interim_results=true (as with Deepgram)',
  });

/** The query's parameters (first value of each; an empty value counts as absent). */
const listenQuerySchema = z
  .intersection(audioFormatSchema, listenSettingsSchema)
  .transform((query): ListenOptions => ({
    encoding: query.encoding,
    sampleRate: query.sampleRate,
    channels: query.channels,
    language:
      query.language === undefined || query.language === 'multi'
        ? undefined
        : (query.language.split('-')[0] ?? '').toLowerCase(),
    interimResults: query.interim_results,
    endpointingMs: query.endpointing,
    utteranceEndMs: query.utterance_end_ms,
    vadEvents: query.vad_events,
  }));

export function parseListenOptions(query: URLSearchParams): ListenOptions {
  const values: Record<string, string> = {};
  for (const name of query.keys()) {
    const value = query.get(name);
    if (value) values[name] = value;
  }
  const result = listenQuerySchema.safeParse(values);
  if (result.success) return result.data;
  throw new ListenOptionsError(firstMessage(result.error));
}
