import { LANGUAGE_CODE, z } from '../common/validation/schema-parse';
import { OpenAiError } from './openai-error';

export const RESPONSE_FORMATS = ['json', 'text', 'srt', 'vtt', 'verbose_json'] as const;
export type ResponseFormat = (typeof RESPONSE_FORMATS)[number];

export const GRANULARITIES = ['segment', 'word'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

export type AudioTask = 'transcribe' | 'translate';

/** Multipart fields by name; a repeated field (`timestamp_granularities[]`) has several values. */
export type FormFields = ReadonlyMap<string, readonly string[]>;

/** Whisper's prompt window is 224 tokens; a longer prompt is a client mistake, not a truncation. */
export const MAX_PROMPT_CHARS = 2000;

const GRANULARITIES_PARAM = 'timestamp_granularities[]';

/** A field given at most once: its value, or undefined when absent. */
function single(name: string) {
  return z
    .array(z.string())
    .max(1, `'${name}' was given more than once`)
    .optional()
    .transform((values) => values?.[0]);
}

/** OpenAI's message for a value outside a list. */
function oneOf<const T extends readonly [string, ...string[]]>(allowed: T, param: string) {
  return z.enum(allowed, {
    error: ({ input }) => `'${String(input)}' is not one of ${allowed.join(', ')} - '${param}'`,
  });
}

const TEMPERATURE = 'temperature must be a number from 0 to 1';

/**
 * The form fields of an upload (OpenAI's parameter names and messages), as an object of each
 * field's values; an issue's path names the parameter. The `model` is required as in OpenAI's
 * API, but any name is served by the loaded whisper model. Translations always detect the
 * language, whatever the form says.
 */
function audioRequestSchema(task: AudioTask) {
  const language =
    task === 'transcribe'
      ? single('language')
          .transform((value) => value?.trim().toLowerCase() || undefined)
          .pipe(
            z
              .string()
              .regex(LANGUAGE_CODE, {
                error: ({ input }) => `language '${String(input)}' is not an ISO-639-1 code`,
              })
              .default('auto'),
          )
      : single('language').transform(() => 'auto');
  return z
    .object({
      model: single('model').pipe(
        z
          .string({ error: 'you must provide a model parameter' })
          .trim()
          .min(1, 'you must provide a model parameter'),
      ),
      language,
      prompt: single('prompt').pipe(
        z
          .string()
          .max(MAX_PROMPT_CHARS, `prompt is longer than ${MAX_PROMPT_CHARS} characters`)
          .optional(),
      ),
      response_format: single('response_format').pipe(
        oneOf(RESPONSE_FORMATS, 'response_format').default('json'),
      ),
      temperature: single('temperature')
        .transform((value) => (value === undefined ? 0 : Number(value)))
        .pipe(z.number({ error: TEMPERATURE }).min(0, TEMPERATURE).max(1, TEMPERATURE)),
      [GRANULARITIES_PARAM]: z.array(oneOf(GRANULARITIES, GRANULARITIES_PARAM)),
      stream: single('stream')
        .transform((value) => value?.toLowerCase())
        .pipe(z.enum(['true', 'false'], { error: 'stream must be true or false' }).optional()),
    })
    .refine(
      (form) => form[GRANULARITIES_PARAM].length === 0 || form.response_format === 'verbose_json',
      {
        path: [GRANULARITIES_PARAM],
        message: 'timestamp_granularities is only supported with response_format verbose_json',
      },
    )
    .transform((form) => {
      const granularities = [...new Set(form[GRANULARITIES_PARAM])];
      return {
        task,
        model: form.model,
        /** ISO 639-1 code, or 'auto' (translations always detect). */
        language: form.language,
        ...(form.prompt ? { prompt: form.prompt } : {}),
        responseFormat: form.response_format,
        temperature: form.temperature,
        granularities: granularities.length > 0 ? granularities : (['segment'] as Granularity[]),
        stream: form.stream === 'true',
      };
    });
}

const SCHEMAS = {
  transcribe: audioRequestSchema('transcribe'),
  translate: audioRequestSchema('translate'),
};

/** What one `POST /v1/audio/transcriptions|translations` asks for, validated. */
export type AudioRequest = z.output<ReturnType<typeof audioRequestSchema>>;

/** The fields as the schema reads them: both spellings of the granularities are one list. */
function formObject(fields: FormFields): Record<string, readonly string[]> {
  return {
    ...Object.fromEntries(fields),
    [GRANULARITIES_PARAM]: [
      ...(fields.get(GRANULARITIES_PARAM) ?? []),
      ...(fields.get('timestamp_granularities') ?? []),
    ],
  };
}

/** Validates an upload's form fields; a refusal is a 400 OpenAiError naming the parameter. */
export function parseAudioRequest(fields: FormFields, task: AudioTask): AudioRequest {
  const result = SCHEMAS[task].safeParse(formObject(fields));
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue?.path[0];
  throw new OpenAiError(
    400,
    issue?.message ?? 'invalid form',
    param === undefined ? null : String(param),
    'invalid_value',
  );
}
