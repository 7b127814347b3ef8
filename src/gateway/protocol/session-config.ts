import type { AudioEncoding, SessionConfig } from '../../contracts/stream-frames';
import { ProtocolError, CloseCode } from './protocol-error';

export type { AudioEncoding, SessionConfig };

export const ENCODINGS: readonly AudioEncoding[] = ['pcm_s16le', 'pcm_f32le'];

export const MIN_SAMPLE_RATE = 8000;
export const MAX_SAMPLE_RATE = 48000;
const MAX_TARGETS = 8;
const LANGUAGE = /^[a-z]{2,3}$/;

/** Keys a client may set, by query string or in a `config` frame. */
export type ConfigInput = Partial<Record<keyof SessionConfig, unknown>>;

const KEYS: readonly (keyof SessionConfig)[] = [
  'source',
  'targets',
  'sample_rate',
  'encoding',
  'interim_results',
  'interim_translations',
  'realtime_finals',
  'task',
];

export function defaultSessionConfig(sampleRate: number): SessionConfig {
  return {
    source: 'auto',
    targets: [],
    sample_rate: sampleRate,
    encoding: 'pcm_s16le',
    interim_results: true,
    interim_translations: false,
    realtime_finals: true,
    task: 'transcribe',
  };
}

function invalid(message: string): ProtocolError {
  return new ProtocolError('invalid_config', message);
}

function parseBoolean(name: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw invalid(`${name} must be true or false`);
}

function parseLanguage(name: string, value: unknown, allowAuto: boolean): string {
  const text = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (allowAuto && text === 'auto') return text;
  if (!LANGUAGE.test(text)) {
    throw invalid(`${name} must be a language code like "en"${allowAuto ? ' or "auto"' : ''}`);
  }
  return text;
}

function parseTargets(value: unknown): string[] {
  const list = Array.isArray(value)
    ? (value as unknown[])
    : typeof value === 'string'
      ? value.split(',').filter((part) => part.trim() !== '')
      : undefined;
  if (!list) throw invalid('targets must be a list of language codes or a comma-separated string');
  if (list.length > MAX_TARGETS) throw invalid(`at most ${MAX_TARGETS} targets`);
  return [...new Set(list.map((item) => parseLanguage('targets', item, false)))];
}

function parseSampleRate(value: unknown): number {
  const rate = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (
    typeof rate !== 'number' ||
    !Number.isInteger(rate) ||
    rate < MIN_SAMPLE_RATE ||
    rate > MAX_SAMPLE_RATE
  ) {
    throw new ProtocolError(
      'unsupported_sample_rate',
      `sample_rate ${JSON.stringify(value)} is not supported: use an integer from ${MIN_SAMPLE_RATE} to ${MAX_SAMPLE_RATE}`,
      CloseCode.UnsupportedSampleRate,
    );
  }
  return rate;
}

function parseEncoding(value: unknown): AudioEncoding {
  if (typeof value === 'string' && (ENCODINGS as readonly string[]).includes(value)) {
    return value as AudioEncoding;
  }
  throw new ProtocolError(
    'unsupported_encoding',
    `encoding ${JSON.stringify(value)} is not supported: use ${ENCODINGS.join(' or ')}`,
    CloseCode.UnsupportedEncoding,
  );
}

/**
 * Applies a client's changes to a config and returns the new one; throws a ProtocolError naming
 * the first bad field (the config is then unchanged). Unknown keys are errors too, so typos show.
 */
export function applyConfig(current: SessionConfig, input: ConfigInput): SessionConfig {
  const next: SessionConfig = { ...current, targets: [...current.targets] };
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    switch (key as keyof SessionConfig) {
      case 'source':
        next.source = parseLanguage('source', value, true);
        break;
      case 'targets':
        next.targets = parseTargets(value);
        break;
      case 'sample_rate':
        next.sample_rate = parseSampleRate(value);
        break;
      case 'encoding':
        next.encoding = parseEncoding(value);
        break;
      case 'interim_results':
        next.interim_results = parseBoolean(key, value);
        break;
      case 'interim_translations':
        next.interim_translations = parseBoolean(key, value);
        break;
      case 'realtime_finals':
        next.realtime_finals = parseBoolean(key, value);
        break;
      case 'task':
        if (value !== 'transcribe' && value !== 'translate') {
          throw invalid('task must be "transcribe" or "translate"');
        }
        next.task = value;
        break;
      default:
        throw invalid(`unknown config field "${key}"; known: ${KEYS.join(', ')}`);
    }
  }
  return next;
}

/** Query parameters that are not session config. */
export const CONNECTION_PARAMS = [
  'resume',
  'last_seq',
  'last_id',
  'token',
  // Live rooms (src/rooms, docs/rooms.md).
  'room',
  'room_key',
  'room_passcode',
  'room_interims',
  'speaker',
] as const;

/** Aliases accepted in the query string for convenience (`language` for `source`). */
const QUERY_ALIASES: Record<string, keyof SessionConfig> = { language: 'source' };

/** Config fields from a query string; connection parameters (resume, ...) are left out. */
export function configFromQuery(params: URLSearchParams): ConfigInput {
  const input: Record<string, unknown> = {};
  for (const [name, value] of params) {
    if ((CONNECTION_PARAMS as readonly string[]).includes(name)) continue;
    input[QUERY_ALIASES[name] ?? name] = value;
  }
  return input;
}
