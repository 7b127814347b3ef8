import { issuePath, type z } from '../validation/schema-parse';
import { ConfigError } from './config-error';
import { shownValue } from './env-value-types';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Validates `env` against `schema` (envSchema or a part of it). Throws a ConfigError for the first
 * invalid variable: its name, the value (or the bad item of a list), and what is allowed.
 */
export function parseEnv<S extends z.ZodType<unknown, Env>>(schema: S, env: Env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw result.error;
  const variable = issuePath(issue);
  throw new ConfigError(variable, shownValue(issue) ?? env[variable]?.trim() ?? '', issue.message);
}
