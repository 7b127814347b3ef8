import { RawAudioEncoding } from '../audio/telephony-audio-decoder';

/**
 * The query string of Deepgram's live endpoint (`/v1/listen`), as Deepgram's SDKs send it, read
 * into what our session needs. Formatting and model options (model, smart_format, punctuate,
 * diarize, ...) are accepted and have no effect: whisper punctuates and there is one model.
 */
export type ListenEncoding = RawAudioEncoding;

export interface ListenOptions {
  encoding: ListenEncoding;
  sampleRate: number;
  channels: number;
  /** A language code (`en`, from `en-US`), or undefined to detect it (`multi` or absent). */
  language: string | undefined;
  interimResults: boolean;
  /** Silence in ms that ends an utterance; false = only Finalize/CloseStream end one. */
  endpointingMs: number | false | undefined;
  /** Silence in ms after the last word before an `UtteranceEnd` message; undefined = none. */
  utteranceEndMs: number | undefined;
  vadEvents: boolean;
}

export class ListenOptionsError extends Error {}

const ENCODINGS: readonly ListenEncoding[] = ['linear16', 'mulaw', 'alaw'];
const MIN_SAMPLE_RATE = 8000;
const MAX_SAMPLE_RATE = 48000;
const MAX_CHANNELS = 8;

function flag(query: URLSearchParams, name: string, fallback: boolean): boolean {
  const value = query.get(name);
  if (value === null || value === '') return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new ListenOptionsError(`${name} must be true or false, not ${JSON.stringify(value)}`);
}

function integer(
  query: URLSearchParams,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const value = query.get(name);
  if (value === null || value === '') return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new ListenOptionsError(
      `${name} must be an integer from ${min} to ${max}, not ${JSON.stringify(value)}`,
    );
  }
  return number;
}

export function parseListenOptions(query: URLSearchParams): ListenOptions {
  const encoding = query.get('encoding');
  if (encoding === null || encoding === '') {
    throw new ListenOptionsError(
      `encoding is required: ${ENCODINGS.join(', ')} (containerised audio is not accepted live)`,
    );
  }
  if (!ENCODINGS.includes(encoding as ListenEncoding)) {
    throw new ListenOptionsError(
      `encoding ${JSON.stringify(encoding)} is not supported: use ${ENCODINGS.join(', ')}`,
    );
  }
  const sampleRate = integer(query, 'sample_rate', MIN_SAMPLE_RATE, MAX_SAMPLE_RATE);
  if (sampleRate === undefined) {
    throw new ListenOptionsError(`sample_rate is required with encoding=${encoding}`);
  }
  const language = query.get('language');
  const endpointing = query.get('endpointing');
  let endpointingMs: number | false | undefined;
  if (endpointing === 'false') endpointingMs = false;
  else if (endpointing === 'true') endpointingMs = undefined;
  else endpointingMs = integer(query, 'endpointing', 10, 10_000);
  const utteranceEndMs = integer(query, 'utterance_end_ms', 1000, 10_000);
  const interimResults = flag(query, 'interim_results', false);
  if (utteranceEndMs !== undefined && !interimResults) {
    throw new ListenOptionsError('utterance_end_ms needs interim_results=true (as with Deepgram)');
  }
  return {
    encoding: encoding as ListenEncoding,
    sampleRate,
    channels: integer(query, 'channels', 1, MAX_CHANNELS) ?? 1,
    language:
      language === null || language === '' || language === 'multi'
        ? undefined
        : language.split('-')[0].toLowerCase(),
    interimResults,
    endpointingMs,
    utteranceEndMs,
    vadEvents: flag(query, 'vad_events', false),
  };
}
