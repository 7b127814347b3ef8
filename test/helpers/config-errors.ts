import { ConfigError } from 'src/common/config/config-error';
import { loadConfig } from 'src/common/config/load-config';

/** The ConfigError loadConfig throws for `env`, or undefined when it accepts it. */
export function configErrorOf(env: Record<string, string>): ConfigError | undefined {
  try {
    loadConfig(env);
    return undefined;
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}
