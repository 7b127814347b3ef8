import { OpenAiError } from './openai-error';

export const RESPONSE_FORMATS = ['json', 'text', 'srt', 'vtt', 'verbose_json'] as const;
export type ResponseFormat = (typeof RESPONSE_FORMATS)[number];

export const GRANULARITIES = ['segment', 'word'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

export type AudioTask = 'transcribe' | 'translate';

/** What one `POST /v1/audio/transcriptions|translations` asks for, validated. */
export interface AudioRequest {
  task: AudioTask;
  model: string;
  /** ISO 639-1 code, or 'auto' (translations always detect). */
  language: string;
  prompt?: string;
  responseFormat: ResponseFormat;
  temperature: number;
  granularities: Granularity[];
  stream: boolean;
}

/** Multipart fields by name; a repeated field (`timestamp_granularities[]`) has several values. */
export type FormFields = ReadonlyMap<string, readonly string[]>;

/** Whisper's prompt window is 224 tokens; a longer prompt is a client mistake, not a truncation. */
export const MAX_PROMPT_CHARS = 2000;

const LANGUAGE = /^[a-z]{2,3}$/;

function bad(message: string, param: string): OpenAiError {
  return new OpenAiError(400, message, param, 'invalid_value');
}

function single(fields: FormFields, name: string): string | undefined {
  const values = fields.get(name);
  if (!values || values.length === 0) return undefined;
  if (values.length > 1) throw bad(`'${name}' was given more than once`, name);
  return values[0];
}

function oneOf<T extends string>(value: string, allowed: readonly T[], param: string): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw bad(`'${value}' is not one of ${allowed.join(', ')} - '${param}'`, param);
  }
  return value as T;
}

/**
 * Validates the form fields of an upload (OpenAI's parameter names and messages). The `model`
 * is required as in OpenAI's API, but any name is served by the loaded whisper model.
 */
export function parseAudioRequest(fields: FormFields, task: AudioTask): AudioRequest {
  const model = single(fields, 'model')?.trim();
  if (!model) throw bad('you must provide a model parameter', 'model');

  const rawLanguage = single(fields, 'language')?.trim().toLowerCase();
  let language = 'auto';
  if (task === 'transcribe' && rawLanguage) {
    if (!LANGUAGE.test(rawLanguage)) {
      throw bad(`language '${rawLanguage}' is not an ISO-639-1 code`, 'language');
    }
    language = rawLanguage;
  }

  const prompt = single(fields, 'prompt');
  if (prompt !== undefined && prompt.length > MAX_PROMPT_CHARS) {
    throw bad(`prompt is longer than ${MAX_PROMPT_CHARS} characters`, 'prompt');
  }

  const responseFormat = oneOf(
    single(fields, 'response_format') ?? 'json',
    RESPONSE_FORMATS,
    'response_format',
  );

  const rawTemperature = single(fields, 'temperature');
  const temperature = rawTemperature === undefined ? 0 : Number(rawTemperature);
  if (!Number.isFinite(temperature) || temperature < 0 || temperature > 1) {
    throw bad('temperature must be a number from 0 to 1', 'temperature');
  }

  const granularityValues = [
    ...(fields.get('timestamp_granularities[]') ?? []),
    ...(fields.get('timestamp_granularities') ?? []),
  ];
  const granularities = [
    ...new Set(
      granularityValues.map((value) => oneOf(value, GRANULARITIES, 'timestamp_granularities[]')),
    ),
  ];
  if (granularities.length > 0 && responseFormat !== 'verbose_json') {
    throw bad(
      'timestamp_granularities is only supported with response_format verbose_json',
      'timestamp_granularities[]',
    );
  }

  const rawStream = single(fields, 'stream')?.toLowerCase();
  if (rawStream !== undefined && rawStream !== 'true' && rawStream !== 'false') {
    throw bad('stream must be true or false', 'stream');
  }
  const stream = rawStream === 'true';

  return {
    task,
    model,
    language,
    ...(prompt ? { prompt } : {}),
    responseFormat,
    temperature,
    granularities: granularities.length > 0 ? granularities : ['segment'],
    stream,
  };
}
