/**
 * Small, typed readers for environment variables. Each failure names the variable, the bad value
 * and what is allowed, so a misconfigured process can say exactly what to fix.
 */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly value: string,
    readonly allowed: string,
  ) {
    super(`Invalid ${variable}=${JSON.stringify(value)}: allowed ${allowed}`);
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/** What a reader knows of a variable: the configuration reference is generated from it. */
export interface VariableRead {
  name: string;
  /** The value used when the variable is unset, as text; undefined when there is none. */
  fallback?: string;
  /** What the reader accepts, in the words of its error message. */
  allowed?: string;
}

const recorders = new WeakMap<Env, (read: VariableRead) => void>();

/** Calls `onRead` for every variable a reader reads from `env` (see config-reference.ts). */
export function recordReads(env: Env, onRead: (read: VariableRead) => void): Env {
  recorders.set(env, onRead);
  return env;
}

function note(env: Env, read: VariableRead): void {
  recorders.get(env)?.(read);
}

function raw(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function readString(env: Env, name: string, fallback: string): string {
  note(env, { name, fallback });
  return raw(env, name) ?? fallback;
}

export function readOptionalString(env: Env, name: string): string | undefined {
  note(env, { name });
  return raw(env, name);
}

export function readEnum<T extends string>(
  env: Env,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  note(env, { name, fallback, allowed: `one of ${allowed.join(', ')}` });
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(name, value, `one of ${allowed.join(', ')}`);
  }
  return value as T;
}

export function readNumber(
  env: Env,
  name: string,
  fallback: number,
  range: { min: number; max: number; integer?: boolean },
): number {
  const kind = range.integer ? 'an integer' : 'a number';
  note(env, {
    name,
    fallback: String(fallback),
    allowed: `${kind} from ${range.min} to ${range.max}`,
  });
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (
    !Number.isFinite(parsed) ||
    (range.integer && !Number.isInteger(parsed)) ||
    parsed < range.min ||
    parsed > range.max
  ) {
    throw new ConfigError(name, value, `${kind} from ${range.min} to ${range.max}`);
  }
  return parsed;
}

const BOOLEAN_FORMS = 'true or false (also 1/0, yes/no, on/off)';

export function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  note(env, { name, fallback: String(fallback), allowed: BOOLEAN_FORMS });
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const lowered = value.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(lowered)) return true;
  if (['0', 'false', 'no', 'off'].includes(lowered)) return false;
  throw new ConfigError(name, value, BOOLEAN_FORMS);
}

export function readUrl(env: Env, name: string, fallback: string, protocols: string[]): string {
  note(env, {
    name,
    fallback: fallback || undefined,
    allowed: `a URL starting with ${protocols.join(' or ')}`,
  });
  const value = raw(env, name) ?? fallback;
  let protocol: string;
  try {
    protocol = new URL(value).protocol;
  } catch {
    throw new ConfigError(name, value, `a URL starting with ${protocols.join(' or ')}`);
  }
  if (!protocols.includes(protocol.replace(/:$/, '') + '://')) {
    throw new ConfigError(name, value, `a URL starting with ${protocols.join(' or ')}`);
  }
  return value;
}

export function readList(env: Env, name: string, fallback: string[]): string[] {
  note(env, { name, fallback: fallback.join(','), allowed: 'a comma list' });
  const value = raw(env, name);
  if (value === undefined) return fallback;
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
