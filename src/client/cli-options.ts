import { parseArgs } from 'node:util';

export interface CliOptions {
  url: string;
  /** The first audio file (the one every client streams unless several are given). */
  file?: string;
  /** Every audio file: with --clients/--load-test, client i streams file i mod n. */
  files: string[];
  mic: boolean;
  monitor: boolean;
  device?: string;
  source: string;
  targets: string[];
  interim: boolean;
  interimTranslations: boolean;
  fast: boolean;
  chunkMs: number;
  json: boolean;
  clients: number;
  loadTest: boolean;
  batches: number;
  /** Spread session starts over this many seconds, or over the file ('file'); 0 = all at once. */
  stagger: number | 'file';
  /** Where --load-test writes its JSON report. */
  report?: string;
  /** Silence threshold of the server, subtracted in the report's speech-end figures. */
  silenceThresholdSeconds: number;
  type: boolean;
  typeInterims: boolean;
  typeDelayMs: number;
  token?: string;
  /** Live rooms: `new` publishes the session as a room; a room id joins one (with roomKey). */
  room?: string;
  roomKey?: string;
  roomPasscode?: string;
  speaker?: string;
  timeoutSeconds: number;
  help: boolean;
}

export class UsageError extends Error {}

export const USAGE = `Usage: npm run client -- [options] [audio-file...]

Streams audio to the gateway and prints what comes back.

Audio (one of):
  <audio-file>            a WAV file (any sample rate; other formats through ffmpeg)
  --mic                   the microphone (arecord, sox or parec)
  --monitor               system audio (parec monitor source)
  --device <name>         capture device for --mic/--monitor

Connection and languages:
  --url <ws-url>          gateway (default ws://localhost:5026; streams on /v1/stream)
  --source <lang|auto>    spoken language (default auto)
  --targets <l1,l2>       translate into these languages
  --no-interim            no interim results
  --interim-translations  translate interims too
  --token <token>         API token, when the gateway needs one

Live room (docs/rooms.md):
  --room                  publish the session as a live room: prints its code and join link
  --room-passcode <code>  listeners need this passcode too (6+ characters)
  --room-id <id>          speak in an existing room instead (with --room-key)
  --room-key <key>        the room's speaker key (from the room's creator)
  --speaker <label>       the name listeners see for this speaker

Pace and output:
  --fast                  send the file as fast as possible (default: real time)
  --chunk-ms <ms>         audio per WebSocket frame (default 100)
  --json                  one JSON object per line instead of text
  --timeout <s>           wait this long for the drain after the audio ends (default 60)

Concurrency and load:
  --clients <n>           run n sessions at once (several files: client i streams file i mod n)
  --load-test             run --batches batches of --clients sessions and report latency
                          (end of utterance and end of speech to final, first interim after
                          start of speech: p50/p95/p99), interims per second, throughput,
                          success rate and the worker of each final
  --batches <b>           number of batches for --load-test (default 1)
  --stagger[=<s>]         spread session starts over s seconds (bare: over the audio file),
                          like independent speakers; default: all start at once
  --report <file.json>    also write the --load-test report as JSON
  --silence-threshold <s> the server's SILENCE_THRESHOLD_SECONDS, subtracted from end of speech
                          to final in the report (default 0.6)

Voice typing (X11):
  --type                  type finals into the focused window through xdotool
  --type-interims         also type interims, replacing them in place as they improve
  --type-delay <ms>       delay between typed characters (default 12)
`;

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer`);
  return n;
}

function languages(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((l) => l.trim().toLowerCase())
    .filter((l) => l !== '');
}

function nonNegative(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new UsageError(`--${name} must be a number of seconds >= 0`);
  }
  return n;
}

function staggerValue(value: string | undefined): number | 'file' {
  if (value === undefined) return 0;
  if (value === 'file') return 'file';
  return nonNegative('stagger', value, 0);
}

/** A bare `--stagger` (no number after it) means: spread over the file. */
function bareStagger(argv: string[]): string[] {
  return argv.flatMap((arg, i) => {
    if (arg !== '--stagger') return [arg];
    const next = argv[i + 1];
    const hasValue = next !== undefined && (next === 'file' || /^\d*\.?\d+$/.test(next));
    return hasValue ? [arg] : ['--stagger=file'];
  });
}

export function parseCliOptions(argv: string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: bareStagger(argv),
      allowPositionals: true,
      options: {
        url: { type: 'string' },
        mic: { type: 'boolean' },
        monitor: { type: 'boolean' },
        device: { type: 'string' },
        source: { type: 'string' },
        targets: { type: 'string' },
        target: { type: 'string' },
        'no-interim': { type: 'boolean' },
        'interim-translations': { type: 'boolean' },
        fast: { type: 'boolean' },
        'chunk-ms': { type: 'string' },
        json: { type: 'boolean' },
        clients: { type: 'string' },
        'load-test': { type: 'boolean' },
        batches: { type: 'string' },
        stagger: { type: 'string' },
        report: { type: 'string' },
        'silence-threshold': { type: 'string' },
        type: { type: 'boolean' },
        'type-interims': { type: 'boolean' },
        'type-delay': { type: 'string' },
        token: { type: 'string' },
        room: { type: 'boolean' },
        'room-passcode': { type: 'string' },
        'room-id': { type: 'string' },
        'room-key': { type: 'string' },
        speaker: { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const v = parsed.values;
  const options: CliOptions = {
    url: v.url ?? 'ws://localhost:5026',
    file: parsed.positionals[0],
    files: parsed.positionals,
    mic: v.mic ?? false,
    monitor: v.monitor ?? false,
    device: v.device,
    source: (v.source ?? 'auto').toLowerCase(),
    targets: languages(v.targets ?? v.target),
    interim: !(v['no-interim'] ?? false),
    interimTranslations: v['interim-translations'] ?? false,
    fast: v.fast ?? false,
    chunkMs: positiveInt('chunk-ms', v['chunk-ms'], 100),
    json: v.json ?? false,
    clients: positiveInt('clients', v.clients, 1),
    loadTest: v['load-test'] ?? false,
    batches: positiveInt('batches', v.batches, 1),
    stagger: staggerValue(v.stagger),
    report: v.report,
    silenceThresholdSeconds: nonNegative('silence-threshold', v['silence-threshold'], 0.6),
    type: v.type ?? false,
    typeInterims: v['type-interims'] ?? false,
    typeDelayMs: v['type-delay'] === undefined ? 12 : Number(v['type-delay']),
    token: v.token,
    room: v['room-id'] ?? (v.room ? 'new' : undefined),
    roomKey: v['room-key'],
    roomPasscode: v['room-passcode'],
    speaker: v.speaker,
    timeoutSeconds: positiveInt('timeout', v.timeout, 60),
    help: v.help ?? false,
  };
  if (options.help) return options;
  if (parsed.positionals.length > 1 && options.clients === 1 && !options.loadTest) {
    throw new UsageError('several audio files need --clients or --load-test');
  }
  const inputs = [options.file !== undefined, options.mic, options.monitor].filter(Boolean).length;
  if (inputs === 0) throw new UsageError('give an audio file, --mic or --monitor');
  if (inputs > 1) throw new UsageError('give only one of: an audio file, --mic, --monitor');
  if (!/^wss?:\/\//.test(options.url))
    throw new UsageError('--url must start with ws:// or wss://');
  if ((options.clients > 1 || options.loadTest) && !options.file) {
    throw new UsageError('--clients and --load-test need an audio file');
  }
  if (options.type && options.clients > 1) throw new UsageError('--type works with one client');
  if (options.typeInterims) options.type = true;
  if (options.room !== undefined && options.room !== 'new' && !options.roomKey) {
    throw new UsageError('--room-id needs --room-key');
  }
  if ((options.roomPasscode || options.speaker) && options.room === undefined) {
    throw new UsageError('--room-passcode and --speaker need --room or --room-id');
  }
  if (!Number.isFinite(options.typeDelayMs) || options.typeDelayMs < 0) {
    throw new UsageError('--type-delay must be a number of milliseconds');
  }
  return options;
}
