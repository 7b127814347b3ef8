import { firstMessage, z } from '../common/validation/schema-parse';
import { htmlSegments, languageName, type LanguagePair, normalizeLanguage } from '../translation';

/** `source: "auto"`: each text's language is detected. */
export const AUTO_SOURCE = 'auto';

/** A client mistake: answered 400 with LibreTranslate's `{error}` body. */
export class BadTranslateRequest extends Error {}

const TEXTS = 'Invalid request: q must be a string or a list of strings';
const LANGUAGE_CODES = 'Invalid request: source and target must be language codes';
const ALTERNATIVES = 'Invalid request: alternatives must be a non-negative integer';

/** A form sends a field left blank as '': LibreTranslate reads it as absent. */
const blankAsAbsent = (value: unknown): unknown => (value === '' ? undefined : value);

/** A body that is no object (a bare string, say) has none of the fields. */
const asFields = (body: unknown): unknown => (body && typeof body === 'object' ? body : {});

function required(name: string, present: (value: unknown) => boolean) {
  return z.preprocess(
    blankAsAbsent,
    z.unknown().refine(present, `Invalid request: missing ${name} parameter`),
  );
}

const isSet = (value: unknown): boolean => value !== undefined && value !== null;
const isDefined = (value: unknown): boolean => value !== undefined;

/** `q`: a text or a non-empty list of texts, at most `maxChars` in all. */
function textsSchema(maxChars: number) {
  return z
    .union(
      [
        z.string().transform((text) => ({ texts: [text], batch: false })),
        z
          .array(z.string())
          .min(1)
          .transform((texts) => ({ texts, batch: true })),
      ],
      { error: TEXTS },
    )
    .superRefine(({ texts }, context) => {
      const size = texts.reduce((sum, text) => sum + text.length, 0);
      if (size > maxChars) {
        context.addIssue({
          code: 'custom',
          message: `Invalid request: request (${size}) exceeds text limit (${maxChars})`,
        });
      }
    });
}

/** A language code as the language table knows it (`es-MX` is `es`); `auto` as a source. */
function languageSchema(allowAuto: boolean) {
  return z.string({ error: LANGUAGE_CODES }).transform((code, context) => {
    const auto = allowAuto && code.trim().toLowerCase() === AUTO_SOURCE;
    const known = auto ? AUTO_SOURCE : normalizeLanguage(code);
    if (known) return known;
    context.addIssue({ code: 'custom', message: `${code} is not supported`, input: code });
    return z.NEVER;
  });
}

const formatSchema = z.preprocess(
  (value) => blankAsAbsent(value) ?? 'text',
  z.enum(['text', 'html'], {
    error: ({ input }) =>
      `${typeof input === 'string' ? input : typeof input} format is not supported`,
  }),
);

/** `alternatives` as JSON sends it (a number) or a form does (a string of digits). */
const alternativesSchema = z.preprocess(
  (value) => {
    const given = blankAsAbsent(value);
    if (given === undefined || given === null) return 0;
    return typeof given === 'string' && /^\d+$/.test(given.trim()) ? Number(given) : given;
  },
  z.number({ error: ALTERNATIVES }).int(ALTERNATIVES).min(0, ALTERNATIVES),
);

/**
 * A POST /translate body the way LibreTranslate checks it (same messages where it has them): q,
 * source and target present (and at most `maxItems` texts), q a string or a list of strings under
 * the length limit, languages known (or source `auto`), format `text` or `html`.
 */
function translateRequestSchema(maxChars: number, maxItems: number) {
  const present = z.looseObject({
    q: required('q', isSet).refine((q) => !Array.isArray(q) || q.length <= maxItems, {
      error: ({ input }) =>
        `Invalid request: ${(input as unknown[]).length} texts exceed the limit of ${maxItems} per request`,
    }),
    source: required('source', isDefined),
    target: required('target', isDefined),
  });
  const checked = z
    .object({
      q: textsSchema(maxChars),
      source: languageSchema(true),
      target: languageSchema(false),
      format: formatSchema,
      alternatives: alternativesSchema,
    })
    .transform(({ q, source, target, format, alternatives }) => ({
      texts: q.texts,
      /** True when q was a list: the answer is a list too. */
      batch: q.batch,
      /** An ISO 639-1 code, or AUTO_SOURCE. */
      source,
      target,
      format,
      /** Alternative translations asked for; above 0 the answer carries `alternatives`. */
      alternatives,
    }));
  return z.preprocess(asFields, present.pipe(checked));
}

/** A POST /detect body: q a text, or a list of texts (detected together), under the limit. */
function detectRequestSchema(maxChars: number) {
  return z.preprocess(
    asFields,
    z
      .looseObject({ q: required('q', isSet) })
      .pipe(z.object({ q: textsSchema(maxChars) }))
      .transform(({ q }) => q.texts.join('\n')),
  );
}

/** Limits are settings: each schema is built once per limit. */
function memo<A extends unknown[], R>(build: (...args: A) => R): (...args: A) => R {
  const built = new Map<string, R>();
  return (...args) => {
    const key = args.join(':');
    if (!built.has(key)) built.set(key, build(...args));
    return built.get(key)!;
  };
}

const translateSchemas = memo(translateRequestSchema);
const detectSchemas = memo(detectRequestSchema);

/** A LibreTranslate-style request, checked. */
export type TranslateRequest = z.output<ReturnType<typeof translateRequestSchema>>;

function parseOrRefuse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (!result.success) throw new BadTranslateRequest(firstMessage(result.error));
  return result.data;
}

/** Checks a POST /translate body (translateRequestSchema); a refusal is a BadTranslateRequest. */
export function parseTranslateRequest(
  body: unknown,
  maxChars: number,
  maxItems = Infinity,
): TranslateRequest {
  return parseOrRefuse(translateSchemas(maxChars, maxItems), body);
}

/** Checks a POST /detect body: the text to detect the language of. */
export function parseDetectRequest(body: unknown, maxChars: number): string {
  return parseOrRefuse(detectSchemas(maxChars), body);
}

export interface TranslatePlan {
  request: TranslateRequest;
  /** The texts that need a worker: one queued job each, never more than the item cap. */
  jobs: { index: number; text: string }[];
}

/**
 * A checked request and the jobs it needs. At most `maxItems` texts per request; blank texts are
 * answered as they are, without a job (a body of many empty items costs nothing); a request whose
 * source and target are the same needs no job at all.
 */
export function planTranslation(body: unknown, maxChars: number, maxItems: number): TranslatePlan {
  const request = parseTranslateRequest(body, maxChars, maxItems);
  if (request.source === request.target) return { request, jobs: [] };
  const jobs = request.texts
    .map((text, index) => ({ index, text }))
    .filter(({ text }) => text.trim() !== '');
  if (request.format === 'html') {
    // An engine that reads only plain text translates each piece of prose on its own.
    const pieces = jobs.reduce((sum, { text }) => sum + Math.max(1, prosePieces(text)), 0);
    if (pieces > maxItems) {
      throw new BadTranslateRequest(
        `Invalid request: the html holds ${pieces} pieces of text between tags, more than the limit of ${maxItems} per request`,
      );
    }
  }
  return { request, jobs };
}

function prosePieces(html: string): number {
  return htmlSegments(html).filter(
    (segment) => segment.kind === 'text' && segment.value.trim() !== '',
  ).length;
}

export interface LanguageEntry {
  code: string;
  name: string;
  targets: string[];
}

/** GET /languages: every source language with the targets it can go to, as LibreTranslate lists. */
export function languageList(pairs: LanguagePair[]): LanguageEntry[] {
  const bySource = new Map<string, Set<string>>();
  for (const { source, target } of pairs) {
    if (!bySource.has(source)) bySource.set(source, new Set());
    bySource.get(source)!.add(target);
  }
  return [...bySource.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, targets]) => ({
      code,
      name: languageName(code),
      targets: [...targets].sort(),
    }));
}
