import {
  firstMessage,
  LANGUAGE_CODE,
  numberOrNumericText,
  SAMPLE_RATES_TEXT,
  sampleRateSchema,
  withMessage,
  z,
} from '../../../common/validation/schema-parse';
import { type RawAudioEncoding } from '../../audio/telephony-audio-decoder';

/**
 * The query string of Deepgram Flux's endpoint (`/v2/listen`), as `@deepgram/sdk`'s `listen.v2`
 * client sends it, read into what a session needs. Ranges and defaults are Deepgram's. The
 * multilingual model's languages are `language_hint` (repeatable) in the query, as in the SDK;
 * `languages` is what TurnInfo reports back. Formatting options (`numerals`,
 * `profanity_filter`, `redact`, `tag`, `mip_opt_out`) are accepted and have no effect.
 */
export const FLUX_MODELS = ['flux-general-en', 'flux-general-multi'] as const;
export type FluxModel = (typeof FLUX_MODELS)[number];

/** The SDK also offers linear32, opus and ogg-opus; live sessions here decode these three. */
export const FLUX_ENCODINGS = [
  'linear16',
  'mulaw',
  'alaw',
] as const satisfies readonly RawAudioEncoding[];
export type FluxEncoding = (typeof FLUX_ENCODINGS)[number];

/** The query parameters read here (a spec checks each is one of the SDK's connect arguments). */
export const FLUX_QUERY_PARAMETERS = [
  'model',
  'encoding',
  'sample_rate',
  'eot_threshold',
  'eager_eot_threshold',
  'eot_timeout_ms',
  'keyterm',
  'language_hint',
] as const;

export const FLUX_EOT_THRESHOLD = { min: 0.5, max: 1, default: 0.7 } as const;
export const FLUX_EAGER_EOT_THRESHOLD = { min: 0.3, max: 0.9 } as const;
export const FLUX_EOT_TIMEOUT_MS = { min: 500, max: 60_000, default: 5000 } as const;
/** Keyterms become decoder prompt text; a bound keeps one client from making that unbounded. */
export const FLUX_MAX_KEYTERMS = 100;
export const FLUX_MAX_KEYTERM_LENGTH = 100;

/** End-of-turn settings a `Configure` message may change. */
export interface FluxThresholds {
  eotThreshold: number;
  /** Undefined: no EagerEndOfTurn / TurnResumed events. */
  eagerEotThreshold: number | undefined;
  eotTimeoutMs: number;
}

export interface FluxOptions extends FluxThresholds {
  model: FluxModel;
  encoding: FluxEncoding;
  sampleRate: number;
  keyterms: string[];
  /** Language codes (`es` from `es-419`); empty unless the model is flux-general-multi. */
  languageHints: string[];
}

export class FluxOptionsError extends Error {}

const range = (name: string, min: number, max: number, integer = false) =>
  withMessage(
    numberOrNumericText.pipe(
      integer ? z.number().int().min(min).max(max) : z.number().min(min).max(max),
    ),
    (value) =>
      `${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, not ${JSON.stringify(value)}`,
  );

export const eotThresholdSchema = range(
  'eot_threshold',
  FLUX_EOT_THRESHOLD.min,
  FLUX_EOT_THRESHOLD.max,
);
export const eagerEotThresholdSchema = range(
  'eager_eot_threshold',
  FLUX_EAGER_EOT_THRESHOLD.min,
  FLUX_EAGER_EOT_THRESHOLD.max,
);
export const eotTimeoutMsSchema = range(
  'eot_timeout_ms',
  FLUX_EOT_TIMEOUT_MS.min,
  FLUX_EOT_TIMEOUT_MS.max,
  true,
);

/** Why a list of keyterms is refused, or undefined. */
export function keytermsProblem(keyterms: readonly string[]): string | undefined {
  if (keyterms.length > FLUX_MAX_KEYTERMS) {
    return `at most ${FLUX_MAX_KEYTERMS} keyterms, not ${keyterms.length}`;
  }
  const long = keyterms.find((term) => term.length > FLUX_MAX_KEYTERM_LENGTH);
  return long === undefined
    ? undefined
    : `a keyterm has at most ${FLUX_MAX_KEYTERM_LENGTH} characters: ${JSON.stringify(long.slice(0, 20))}...`;
}

/** A language hint as a bare code (`en-US` → `en`), or a message saying what is wrong. */
export function languageHint(hint: string): { code: string } | { problem: string } {
  const [code = ''] = hint.trim().toLowerCase().split('-');
  if (code === '') return { problem: 'language_hint must not be empty' };
  return LANGUAGE_CODE.test(code)
    ? { code }
    : { problem: `language_hint ${JSON.stringify(hint)} is not a language code (en, es, pt-BR)` };
}

export const hintsNeedMulti = (param: string, model: FluxModel): string =>
  `${param} is only valid with model=flux-general-multi, not ${model}`;

const modelSchema = z.enum(FLUX_MODELS, {
  error: (issue) =>
    issue.input === undefined
      ? `model is required: ${FLUX_MODELS.join(' or ')}`
      : `model ${JSON.stringify(issue.input)} is not a Flux model: use ${FLUX_MODELS.join(' or ')} (other models are on /v1/listen)`,
});

const encodingSchema = z.enum(FLUX_ENCODINGS, {
  error: (issue) =>
    issue.input === undefined
      ? `encoding is required: ${FLUX_ENCODINGS.join(', ')} (containerised audio is not accepted live)`
      : `encoding ${JSON.stringify(issue.input)} is not supported: use ${FLUX_ENCODINGS.join(', ')}`,
});

const sampleRate = sampleRateSchema(
  (value) => `sample_rate must be one of ${SAMPLE_RATES_TEXT}, not ${JSON.stringify(value)}`,
);

/** The first problem wins, in the order a client should fix them: model, audio, turn settings. */
export function parseFluxOptions(query: URLSearchParams): FluxOptions {
  const first = (name: string): string | undefined => query.get(name) || undefined;
  const model = check(modelSchema, first('model'));
  const encoding = check(encodingSchema, first('encoding'));
  const rate = first('sample_rate');
  if (rate === undefined)
    throw new FluxOptionsError(`sample_rate is required with encoding=${encoding}`);
  const options: FluxOptions = {
    model,
    encoding,
    sampleRate: check(sampleRate, rate),
    eotThreshold:
      optional(eotThresholdSchema, first('eot_threshold')) ?? FLUX_EOT_THRESHOLD.default,
    eagerEotThreshold: optional(eagerEotThresholdSchema, first('eager_eot_threshold')),
    eotTimeoutMs:
      optional(eotTimeoutMsSchema, first('eot_timeout_ms')) ?? FLUX_EOT_TIMEOUT_MS.default,
    // Repeatable; blank ones are dropped.
    keyterms: query
      .getAll('keyterm')
      .map((term) => term.trim())
      .filter((term) => term !== ''),
    languageHints: [],
  };
  const keyterms = keytermsProblem(options.keyterms);
  if (keyterms) throw new FluxOptionsError(keyterms);
  const hints = query.getAll('language_hint');
  if (hints.length > 0 && model !== 'flux-general-multi') {
    throw new FluxOptionsError(hintsNeedMulti('language_hint', model));
  }
  for (const hint of hints) {
    const read = languageHint(hint);
    if ('problem' in read) throw new FluxOptionsError(read.problem);
    if (!options.languageHints.includes(read.code)) options.languageHints.push(read.code);
  }
  return options;
}

function check<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new FluxOptionsError(firstMessage(result.error));
}

function optional<S extends z.ZodType>(
  schema: S,
  value: string | undefined,
): z.output<S> | undefined {
  return value === undefined ? undefined : check(schema, value);
}
