import type { AudioEncoding, SessionConfig } from '../../contracts/stream-frames';
import {
  LANGUAGE_CODE,
  SAMPLE_RATES_TEXT,
  sampleRateSchema,
  z,
} from '../../common/validation/schema-parse';
import { CloseCode } from '../../contracts/close-codes';
import { ProtocolError } from '../../contracts/protocol-error';

export type { AudioEncoding, SessionConfig };

export const ENCODINGS = ['pcm_s16le', 'pcm_f32le'] as const satisfies readonly AudioEncoding[];

const MAX_TARGETS = 8;

/** Keys a client may set, by query string or in a `config` frame. */
export type ConfigInput = Partial<Record<keyof SessionConfig, unknown>>;

export function defaultSessionConfig(sampleRate: number): SessionConfig {
  return {
    source: 'auto',
    targets: [],
    sample_rate: sampleRate,
    encoding: 'pcm_s16le',
    interim_results: true,
    interim_translations: false,
    realtime_finals: true,
    task: 'transcribe',
  };
}

/** `true`/`false`, or their query-string spellings `"true"`/`"1"`/`"false"`/`"0"`. */
function flag(name: string) {
  return z.union(
    [
      z.boolean(),
      z.enum(['true', '1', 'false', '0']).transform((text) => text === 'true' || text === '1'),
    ],
    { error: `${name} must be true or false` },
  );
}

/** A language code, any case, trimmed (`" EN"` is `en`). */
function language(name: string, allowAuto: boolean) {
  const message = `${name} must be a language code like "en"${allowAuto ? ' or "auto"' : ''}`;
  return z
    .string({ error: message })
    .trim()
    .toLowerCase()
    .refine((code) => (allowAuto && code === 'auto') || LANGUAGE_CODE.test(code), {
      error: message,
    });
}

/** A list, or a comma-separated string (the query string form); duplicates are dropped. */
const targets = z
  .preprocess(
    (value) =>
      typeof value === 'string' ? value.split(',').filter((part) => part.trim() !== '') : value,
    z
      .array(z.unknown(), {
        error: 'targets must be a list of language codes or a comma-separated string',
      })
      .max(MAX_TARGETS, { error: `at most ${MAX_TARGETS} targets` }),
  )
  .pipe(z.array(language('targets', false)))
  .transform((codes) => [...new Set(codes)]);

const sampleRate = sampleRateSchema(
  (value) =>
    `sample_rate ${JSON.stringify(value)} is not supported: use one of ${SAMPLE_RATES_TEXT}`,
);

const configFields = {
  source: language('source', true),
  targets,
  sample_rate: sampleRate,
  encoding: z.enum(ENCODINGS, {
    error: (issue) =>
      `encoding ${JSON.stringify(issue.input)} is not supported: use ${ENCODINGS.join(' or ')}`,
  }),
  interim_results: flag('interim_results'),
  interim_translations: flag('interim_translations'),
  realtime_finals: flag('realtime_finals'),
  task: z.enum(['transcribe', 'translate'], { error: 'task must be "transcribe" or "translate"' }),
  turn_detection: z.enum(['silence', 'semantic'], {
    error: 'turn_detection must be "silence" or "semantic"',
  }),
} satisfies { [K in keyof SessionConfig]-?: z.ZodType<SessionConfig[K]> };

const KEYS = Object.keys(configFields);

/** The changes a client asks for: any subset of the fields; unknown keys are errors, so typos show. */
export const configChangesSchema = z
  .strictObject(configFields, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown config field "${issue.keys[0]}"; known: ${KEYS.join(', ')}`
        : undefined,
  })
  .partial();

export type ConfigChanges = z.output<typeof configChangesSchema>;

/** Fields whose refusal ends the connection: the client's audio cannot be read. */
const FATAL_FIELDS: Partial<Record<keyof SessionConfig, { code: string; closeCode: number }>> = {
  sample_rate: { code: 'unsupported_sample_rate', closeCode: CloseCode.UnsupportedSampleRate },
  encoding: { code: 'unsupported_encoding', closeCode: CloseCode.UnsupportedEncoding },
};

/** The issue of the field the client wrote first (an unknown key counts where it was written). */
function firstWritten(issues: readonly z.core.$ZodIssue[], input: ConfigInput): z.core.$ZodIssue {
  const order = Object.keys(input);
  const position = (issue: z.core.$ZodIssue): number =>
    order.indexOf(String(issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path[0]));
  return issues.reduce((first, issue) => (position(issue) < position(first) ? issue : first));
}

function configError(issues: readonly z.core.$ZodIssue[], input: ConfigInput): ProtocolError {
  const issue = firstWritten(issues, input);
  const fatal = FATAL_FIELDS[issue.path[0] as keyof SessionConfig];
  return fatal
    ? new ProtocolError(fatal.code, issue.message, fatal.closeCode)
    : new ProtocolError('invalid_config', issue.message);
}

/**
 * Applies a client's changes to a config and returns the new one; throws a ProtocolError naming
 * the first bad field (the config is then unchanged).
 */
export function applyConfig(current: SessionConfig, input: ConfigInput): SessionConfig {
  const defined = Object.fromEntries(
    Object.entries(input).filter(([, value]) => value !== undefined),
  );
  const result = configChangesSchema.safeParse(defined);
  if (!result.success) throw configError(result.error.issues, defined);
  const changes = Object.fromEntries(
    Object.entries(result.data).filter(([, value]) => value !== undefined),
  );
  return { ...current, targets: [...current.targets], ...changes };
}

/** Query parameters that are not session config. */
export const CONNECTION_PARAMS = [
  'resume',
  'last_seq',
  'last_id',
  'token',
  // Live rooms (src/rooms, docs/rooms.md).
  'room',
  'room_key',
  'room_passcode',
  'room_interims',
  'speaker',
] as const;

/** Aliases accepted in the query string for convenience (`language` for `source`). */
const QUERY_ALIASES: Record<string, keyof SessionConfig> = { language: 'source' };

/** Config fields from a query string; connection parameters (resume, ...) are left out. */
export function configFromQuery(params: URLSearchParams): ConfigInput {
  const input: Record<string, unknown> = {};
  for (const [name, value] of params) {
    if ((CONNECTION_PARAMS as readonly string[]).includes(name)) continue;
    input[QUERY_ALIASES[name] ?? name] = value;
  }
  return input;
}
