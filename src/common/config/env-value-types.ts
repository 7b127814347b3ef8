import { z } from '../validation/schema-parse';

/**
 * The kinds of value an environment variable holds. Each one is a zod schema of the raw text
 * (trimmed; empty means unset) together with what the reference says of it: what it allows (also
 * the error message) and its default. A variable's schema, its error and its documented default
 * therefore come from one place.
 */
export interface EnvType<T> {
  readonly schema: z.ZodType<T, string | undefined>;
  /** What a value must be, in the words of the error message ("one of a, b"). */
  readonly allowed?: string;
  /** The value used when the variable is unset, as text. */
  readonly default?: string;
  /** How the default is computed at boot, when it depends on role, environment or host. */
  readonly computedDefault?: string;
}

/** A default computed at boot (by loadConfig); the schema gives undefined when the variable is unset. */
export class BootDefault {
  constructor(readonly how: string) {}
}

export function atBoot(how: string): BootDefault {
  return new BootDefault(how);
}

/** What a default given as `F` leaves of `T`: undefined stays possible unless F is a value. */
type WithDefault<T, F> = F extends BootDefault | undefined ? T | undefined : T;

function present(raw: unknown): string | undefined {
  return typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : undefined;
}

/** A present value parses with `value`; an unset one becomes `fallback` (or stays undefined). */
export function envType<T, F extends T | BootDefault | undefined>(
  value: z.ZodType<T, string>,
  fallback: F,
  about: { allowed?: string; default?: string } = {},
): EnvType<WithDefault<T, F>> {
  const parsed = z.preprocess(present, value.optional());
  const computed = fallback instanceof BootDefault;
  const schema =
    computed || fallback === undefined
      ? parsed
      : parsed.transform((item) => (item === undefined ? (fallback as T) : item));
  return {
    schema: schema as unknown as z.ZodType<WithDefault<T, F>, string | undefined>,
    allowed: about.allowed,
    default: computed ? undefined : (about.default ?? defaultText(fallback)),
    computedDefault: computed ? fallback.how : undefined,
  };
}

/** A scalar default as text; lists default to empty, which the reference leaves blank. */
function defaultText(fallback: unknown): string | undefined {
  if (typeof fallback === 'string') return fallback || undefined;
  if (typeof fallback === 'number' || typeof fallback === 'boolean') return String(fallback);
  return undefined;
}

/** Why a value (or one item of it) is refused, for a type whose parsing is code. */
export class Refusal {
  constructor(
    /** Overrides the type's `allowed` for this refusal. */
    readonly allowed?: string,
    /** What the error shows instead of the whole value (one bad item of a list). */
    readonly shown?: string,
  ) {}
}

/** A value type checked by `parse`, which returns the value or a Refusal. */
export function parsedBy<T>(
  allowed: string,
  parse: (value: string) => T | Refusal,
): z.ZodType<T, string> {
  return z.string().transform((value, ctx) => {
    const result = parse(value);
    if (!(result instanceof Refusal)) return result;
    ctx.issues.push({
      code: 'custom',
      message: result.allowed ?? allowed,
      input: value,
      params: result.shown === undefined ? undefined : { shown: result.shown },
    });
    return z.NEVER;
  });
}

/** The value the error of `issue` shows, when it is not the variable's whole value. */
export function shownValue(issue: z.core.$ZodIssue): string | undefined {
  const params = (issue as { params?: { shown?: unknown } }).params;
  return typeof params?.shown === 'string' ? params.shown : undefined;
}

export function text<F extends string | BootDefault | undefined>(
  fallback: F,
): EnvType<WithDefault<string, F>> {
  return envType(z.string(), fallback);
}

export function oneOf<const T extends string, F extends T | BootDefault>(
  values: readonly T[],
  fallback: F,
): EnvType<WithDefault<T, F>> {
  const allowed = `one of ${values.join(', ')}`;
  return envType(z.enum(values as [T, ...T[]], { error: allowed }), fallback, { allowed });
}

/** An integer from a fixed list (`16000`). */
export function integerOneOf<F extends number>(
  values: readonly number[],
  fallback: F,
): EnvType<number> {
  const allowed = `one of ${values.join(', ')}`;
  const schema = z.coerce
    .number({ error: allowed })
    .refine((value) => values.includes(value), { error: allowed });
  return envType(schema as z.ZodType<number, string>, fallback, { allowed });
}

export interface Range {
  readonly min: number;
  readonly max: number;
}

function numberIn(range: Range, kind: 'an integer' | 'a number') {
  const allowed = `${kind} from ${range.min} to ${range.max}`;
  const number = z.coerce.number({ error: allowed });
  const whole = kind === 'an integer' ? number.int({ error: allowed }) : number;
  return {
    allowed,
    schema: whole.min(range.min, { error: allowed }).max(range.max, { error: allowed }),
  };
}

export function integer<F extends number | BootDefault>(
  range: Range,
  fallback: F,
): EnvType<WithDefault<number, F>> {
  const { schema, allowed } = numberIn(range, 'an integer');
  return envType(schema as z.ZodType<number, string>, fallback, { allowed });
}

/** A number that may have a fractional part. */
export function decimal<F extends number | BootDefault>(
  range: Range,
  fallback: F,
): EnvType<WithDefault<number, F>> {
  const { schema, allowed } = numberIn(range, 'a number');
  return envType(schema as z.ZodType<number, string>, fallback, { allowed });
}

const BOOLEAN_FORMS = 'true or false (also 1/0, yes/no, on/off)';

export function flag<F extends boolean | BootDefault>(
  fallback: F,
): EnvType<WithDefault<boolean, F>> {
  const schema = z.stringbool({
    truthy: ['1', 'true', 'yes', 'on'],
    falsy: ['0', 'false', 'no', 'off'],
    error: BOOLEAN_FORMS,
  });
  return envType(schema, fallback, { allowed: BOOLEAN_FORMS });
}

/** A URL whose scheme is one of `schemes` (`redis://`); kept as written. */
export function url<F extends string | undefined>(
  schemes: readonly string[],
  fallback: F,
): EnvType<WithDefault<string, F>> {
  const allowed = `a URL starting with ${schemes.join(' or ')}`;
  const schema = parsedBy(allowed, (value) => {
    try {
      const scheme = new URL(value).protocol.replace(/:$/, '') + '://';
      return schemes.includes(scheme) ? value : new Refusal();
    } catch {
      return new Refusal();
    }
  });
  return envType(schema, fallback, { allowed });
}

/** Comma-separated items, trimmed, empty ones dropped; `item` checks each one. */
export function list<T = string>(item?: {
  allowed: string;
  parse: (item: string) => T | Refusal;
}): EnvType<T[]> {
  const allowed = item?.allowed ?? 'a comma list';
  const schema = parsedBy<T[]>(allowed, (value) => {
    const items = value
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0);
    const parsed: T[] = [];
    for (const part of items) {
      const result = item ? item.parse(part) : (part as T);
      if (result instanceof Refusal) return result;
      parsed.push(result);
    }
    return parsed;
  });
  return envType(schema, [] as T[], { allowed });
}
