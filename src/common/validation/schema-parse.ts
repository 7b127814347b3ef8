import { z } from 'zod';

/**
 * Every boundary (environment, WebSocket frames, HTTP bodies and queries, queue payloads) is one
 * zod schema: its TypeScript type is `z.infer` of it, and its errors come from here, so they read
 * the same everywhere: what was wrong, where, and what is allowed.
 */
export { z };

/** A bare language code as clients send it (`en`, `yue`): ISO 639-1, or 639-3 where there is none. */
export const LANGUAGE_CODE = /^[a-z]{2,3}$/;

/** `path.to.field` of an issue, or '' for the value itself. */
export function issuePath(issue: z.core.$ZodIssue): string {
  return issue.path.reduce<string>(
    (path, part) =>
      typeof part === 'number'
        ? `${path}[${part}]`
        : path
          ? `${path}.${String(part)}`
          : String(part),
    '',
  );
}

/** `field: message` for the first problem (schemas put what is allowed in their messages). */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid value';
  const path = issuePath(issue);
  return path ? `${path}: ${issue.message}` : issue.message;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** Parses without throwing; the message is `firstIssue` of the error. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown): Parsed<z.output<S>> {
  const result = schema.safeParse(value);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, message: firstIssue(result.error) };
}

/**
 * The first issue's message alone, for boundaries whose schemas write whole messages because a
 * compatible API fixes their texts (LibreTranslate's `Invalid request: missing q parameter`).
 */
export function firstMessage(error: z.ZodError): string {
  return error.issues[0]?.message ?? 'invalid value';
}

/** Text that must hold JSON; `message` when it does not parse. Output: the parsed value. */
export function jsonText(message: string) {
  return z.string({ error: message }).transform((text, ctx): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      ctx.issues.push({ code: 'custom', message, input: text });
      return z.NEVER;
    }
  });
}

/**
 * `schema` with one message for anything wrong with the value, made from the value exactly as it
 * was sent (the messages of `schema` itself may only see it after coercion).
 */
export function withMessage<S extends z.ZodType>(schema: S, message: (input: unknown) => string) {
  return z.unknown().transform((input, ctx): z.output<S> => {
    const result = schema.safeParse(input);
    if (result.success) return result.data;
    ctx.issues.push({ code: 'custom', message: message(input), input });
    return z.NEVER;
  });
}

/** A finite number, or text that is one (query strings are text): `"16000"`, `" 7 "`; not `""`. */
export const numberOrNumericText = z.union([
  z.number(),
  z
    .string()
    .trim()
    .min(1)
    .transform((text) => Number(text))
    .pipe(z.number()),
]);

/**
 * The input sample rates accepted wherever a client names one: native `sample_rate` (query and
 * `config` frame), Deepgram's `sample_rate`, WAV uploads resampled in the gateway. Each rate
 * builds a resampling filter of its own (up to a megabyte and tens of ms for a rate whose gcd
 * with 16 kHz is small), so any integer would let one client make a gateway build thousands.
 */
export const SAMPLE_RATES = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000] as const;

export const SAMPLE_RATES_TEXT = SAMPLE_RATES.join(', ');

export function isSupportedSampleRate(rate: number): boolean {
  return (SAMPLE_RATES as readonly number[]).includes(rate);
}

/** A rate of SAMPLE_RATES, as a number or numeric text; `message` gets the value as sent. */
export function sampleRateSchema(message: (input: unknown) => string) {
  return withMessage(numberOrNumericText.pipe(z.number().refine(isSupportedSampleRate)), message);
}
