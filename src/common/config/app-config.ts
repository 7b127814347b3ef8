import type { buildAppConfig } from './load-config';

export { ROLES } from './env-formats';
export type { Role, RedisNode } from './env-formats';
export { LOG_LEVELS, MODEL_SIZES, NLLB_MODELS, TRANSLATION_ENGINES } from './env-schema';
export type { JwtKey } from './security-config';

type DeepReadonly<T> = T extends readonly (infer Item)[]
  ? readonly DeepReadonly<Item>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/**
 * The whole validated configuration. Built once at boot by loadConfig() from envSchema (the one
 * definition of every variable); read-only after. Its shape is what buildAppConfig returns.
 */
export type AppConfig = DeepReadonly<ReturnType<typeof buildAppConfig>>;
export type SecurityConfig = AppConfig['security'];
export type RoomsConfig = AppConfig['rooms'];
export type ModelSize = AppConfig['stt']['modelSize'];
export type TranslationEngineName = AppConfig['translation']['engine'];
export type LogLevelName = AppConfig['log']['level'];

export const APP_CONFIG = Symbol('APP_CONFIG');
