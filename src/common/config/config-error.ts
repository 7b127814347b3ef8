/**
 * A variable of the environment with a value the service cannot run with. The message names the
 * variable, the bad value and what is allowed, so a misconfigured process says exactly what to fix
 * (main.ts prints it and exits with code 2).
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
