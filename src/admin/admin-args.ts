/** A parsed command line: positional words and --options (`--name x`, `--name=x`, `--flag`). */
export interface ParsedArgs {
  words: string[];
  options: Map<string, string | true>;
}

export class AdminUsageError extends Error {}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const words: string[] = [];
  const options = new Map<string, string | true>();
  let valueTaken = false;
  for (const [i, arg] of argv.entries()) {
    if (valueTaken) {
      valueTaken = false;
      continue;
    }
    if (!arg.startsWith('--')) {
      words.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const next = argv[i + 1];
    if (eq > 2) {
      options.set(arg.slice(2, eq), arg.slice(eq + 1));
    } else if (next !== undefined && !next.startsWith('--')) {
      options.set(arg.slice(2), next);
      valueTaken = true;
    } else {
      options.set(arg.slice(2), true);
    }
  }
  return { words, options };
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.options.get(name);
  if (value === true) throw new AdminUsageError(`--${name} needs a value`);
  return value;
}

export function numberOption(
  args: ParsedArgs,
  name: string,
  { min, integer = false }: { min: number; integer?: boolean },
): number | undefined {
  const raw = stringOption(args, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new AdminUsageError(
      `--${name} must be ${integer ? 'an integer' : 'a number'} of at least ${min}, got "${raw}"`,
    );
  }
  return value;
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.options.get(name) === true || args.options.get(name) === 'true';
}

/** Fails on options the command does not know, so typos do not pass silently. */
export function allowOnly(args: ParsedArgs, allowed: readonly string[]): void {
  const unknown = [...args.options.keys()].filter((name) => !allowed.includes(name));
  if (unknown.length > 0) {
    throw new AdminUsageError(
      `Unknown option(s): ${unknown.map((name) => `--${name}`).join(', ')}`,
    );
  }
}

export const USAGE = `Usage: npm run admin -- <command>

  keys create --name NAME [--scopes stream,transcripts,admin] [--max-sessions N]
              [--audio-seconds-per-hour N] [--messages-per-second N] [--json]
  keys list [--active] [--json]
  keys revoke KEY_ID
  usage report [--key KEY_ID] [--from ISO_DATE] [--to ISO_DATE] [--granularity hour|day] [--json]
  transcripts export SESSION_ID [--format json|txt|srt|vtt] [--language CODE]
  transcripts delete SESSION_ID
  transcripts purge --older-than-days N
  db migrate

Reads the same environment as the service (DATABASE_URL, REDIS_URL, QUEUE_PREFIX, ...).`;
