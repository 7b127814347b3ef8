import { languageName, LanguagePair, normalizeLanguage, TextFormat } from '../translation';

/** `source: "auto"`: each text's language is detected. */
export const AUTO_SOURCE = 'auto';

/** A LibreTranslate-style request, checked. */
export interface TranslateRequest {
  texts: string[];
  /** True when q was a list: the answer is a list too. */
  batch: boolean;
  /** An ISO 639-1 code, or AUTO_SOURCE. */
  source: string;
  target: string;
  format: TextFormat;
  /** Alternative translations asked for; above 0 the answer carries `alternatives`. */
  alternatives: number;
}

/** A client mistake: answered 400 with LibreTranslate's `{error}` body. */
export class BadTranslateRequest extends Error {}

function field(body: Record<string, unknown>, name: string): unknown {
  const value = body[name];
  return value === '' ? undefined : value;
}

function objectBody(body: unknown): Record<string, unknown> {
  return (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
}

/** A list of texts, or the total length over the limit: LibreTranslate's messages. */
function checkTexts(texts: unknown[], maxChars: number): asserts texts is string[] {
  if (texts.length === 0 || !texts.every((text) => typeof text === 'string')) {
    throw new BadTranslateRequest('Invalid request: q must be a string or a list of strings');
  }
  const size = texts.reduce((sum, text) => sum + text.length, 0);
  if (size > maxChars) {
    throw new BadTranslateRequest(
      `Invalid request: request (${size}) exceeds text limit (${maxChars})`,
    );
  }
}

/** `alternatives` as JSON sends it (a number) or a form does (a string of digits). */
function alternativesField(value: unknown): number {
  if (value === undefined || value === null) return 0;
  const count = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
    throw new BadTranslateRequest('Invalid request: alternatives must be a non-negative integer');
  }
  return count;
}

/**
 * Checks a POST /translate body the way LibreTranslate does (same messages where it has them):
 * q, source and target present, q a string or a list of strings, languages known (or source
 * `auto`), the total length under the limit, format `text` or `html`.
 */
export function parseTranslateRequest(body: unknown, maxChars: number): TranslateRequest {
  const data = objectBody(body);
  const q = field(data, 'q');
  const source = field(data, 'source');
  const target = field(data, 'target');
  const format = field(data, 'format') ?? 'text';
  if (q === undefined || q === null)
    throw new BadTranslateRequest('Invalid request: missing q parameter');
  if (source === undefined)
    throw new BadTranslateRequest('Invalid request: missing source parameter');
  if (target === undefined)
    throw new BadTranslateRequest('Invalid request: missing target parameter');
  const batch = Array.isArray(q);
  const texts: unknown[] = batch ? q : [q];
  checkTexts(texts, maxChars);
  if (typeof source !== 'string' || typeof target !== 'string') {
    throw new BadTranslateRequest('Invalid request: source and target must be language codes');
  }
  if (format !== 'text' && format !== 'html') {
    throw new BadTranslateRequest(
      `${typeof format === 'string' ? format : typeof format} format is not supported`,
    );
  }
  const auto = source.trim().toLowerCase() === AUTO_SOURCE;
  const sourceCode = auto ? AUTO_SOURCE : normalizeLanguage(source);
  if (!sourceCode) throw new BadTranslateRequest(`${source} is not supported`);
  const targetCode = normalizeLanguage(target);
  if (!targetCode) throw new BadTranslateRequest(`${target} is not supported`);
  const alternatives = alternativesField(field(data, 'alternatives'));
  return { texts, batch, source: sourceCode, target: targetCode, format, alternatives };
}

/**
 * Checks a POST /detect body: q a text (or a list of texts, detected together), under the
 * length limit.
 */
export function parseDetectRequest(body: unknown, maxChars: number): string {
  const q = field(objectBody(body), 'q');
  if (q === undefined || q === null) {
    throw new BadTranslateRequest('Invalid request: missing q parameter');
  }
  const texts: unknown[] = Array.isArray(q) ? q : [q];
  checkTexts(texts, maxChars);
  return texts.join('\n');
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
  const data = objectBody(body);
  if (Array.isArray(data.q) && data.q.length > maxItems) {
    throw new BadTranslateRequest(
      `Invalid request: ${data.q.length} texts exceed the limit of ${maxItems} per request`,
    );
  }
  const request = parseTranslateRequest(body, maxChars);
  if (request.source === request.target) return { request, jobs: [] };
  const jobs = request.texts
    .map((text, index) => ({ index, text }))
    .filter(({ text }) => text.trim() !== '');
  return { request, jobs };
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
