import { z } from '../validation/schema-parse';
import { type EnvType } from './env-value-types';

/** What the configuration reference (docs/configuration.md) says of one variable. */
export interface EnvVariableDoc {
  readonly group: string;
  readonly description: string;
  /** Its value is or holds a password or key: never logged, refused in production when weak. */
  readonly sensitive: boolean;
  readonly allowed?: string;
  readonly default?: string;
  readonly computedDefault?: string;
}

/** The doc of every variable's schema (entries of envSchema). */
export const envVariableDocs = z.registry<EnvVariableDoc>();

interface Variable<T> {
  readonly type: EnvType<T>;
  readonly description: string;
  readonly sensitive: boolean;
}

/** A variable: its value type and what it is for. */
export function variable<T>(
  type: EnvType<T>,
  description: string,
  options: { sensitive?: boolean } = {},
): Variable<T> {
  return { type, description, sensitive: options.sensitive ?? false };
}

type Shape<V> = {
  [K in keyof V]: V[K] extends Variable<infer T> ? z.ZodType<T, string | undefined> : never;
};

/** The variables of one group of the reference, as entries of envSchema (in reference order). */
export function group<const V extends Record<string, Variable<unknown>>>(
  name: string,
  variables: V,
): Shape<V> {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, { type, description, sensitive }] of Object.entries(variables)) {
    shape[key] = type.schema.register(envVariableDocs, {
      group: name,
      description,
      sensitive,
      allowed: type.allowed,
      default: type.default,
      computedDefault: type.computedDefault,
    });
  }
  return shape as Shape<V>;
}
