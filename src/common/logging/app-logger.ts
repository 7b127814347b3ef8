import { type LoggerService } from '@nestjs/common';
import { inspect } from 'node:util';
import { LOG_LEVELS, type LogLevelName } from '../config/app-config';

export interface AppLoggerOptions {
  format: 'json' | 'pretty';
  level: LogLevelName;
  /** Added to every line, e.g. the roles this process runs. */
  base: Record<string, unknown>;
  /** Strings replaced by [redacted] wherever they would be printed. */
  secrets: readonly string[];
  write?: (line: string) => void;
}

/** Structured logger: JSON lines in production, readable lines in development; never prints secrets. */
export class AppLogger implements LoggerService {
  private readonly threshold: number;
  private readonly write: (line: string) => void;

  constructor(private readonly options: AppLoggerOptions) {
    this.threshold = LOG_LEVELS.indexOf(options.level);
    this.write = options.write ?? ((line) => process.stdout.write(line + '\n'));
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.print('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.print('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.print('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.print('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.print('verbose', message, rest);
  }

  private print(level: LogLevelName, message: unknown, rest: unknown[]): void {
    if (LOG_LEVELS.indexOf(level) > this.threshold) return;
    // Nest passes the context as the last string argument, and a stack before it for errors.
    const args = [...rest];
    const context = typeof args[args.length - 1] === 'string' ? (args.pop() as string) : undefined;
    const stack =
      level === 'error' && typeof args[0] === 'string' ? (args.shift() as string) : undefined;
    const text = this.redact(
      typeof message === 'string' ? message : inspect(message, { depth: 4 }),
    );
    if (this.options.format === 'json') {
      const line: Record<string, unknown> = {
        time: new Date().toISOString(),
        level,
        ...this.options.base,
        context,
        msg: text,
      };
      if (stack) line.stack = this.redact(stack);
      if (args.length > 0) line.extra = this.redact(inspect(args, { depth: 4 }));
      this.write(JSON.stringify(line));
    } else {
      const parts = [
        new Date().toISOString(),
        level.toUpperCase().padEnd(7),
        context ? `[${context}]` : '',
        text,
        stack ? '\n' + this.redact(stack) : '',
        args.length > 0 ? this.redact(inspect(args, { depth: 4 })) : '',
      ];
      this.write(parts.filter((part) => part !== '').join(' '));
    }
  }

  private redact(text: string): string {
    let result = text;
    for (const secret of this.options.secrets) {
      if (secret.length > 0) result = result.split(secret).join('[redacted]');
    }
    return result;
  }
}
