import { type WordTiming } from '../../../contracts/result-messages';
import { firstMessage, jsonText, z } from '../../../common/validation/schema-parse';

/** Messages of Deepgram's live API (`/v1/listen`) as its SDKs parse them. */
export interface ListenWord {
  word: string;
  start: number;
  end: number;
  confidence: number;
  punctuated_word: string;
}

export interface ListenResults {
  type: 'Results';
  channel_index: [number, number];
  duration: number;
  start: number;
  is_final: boolean;
  speech_final: boolean;
  from_finalize: boolean;
  channel: { alternatives: [{ transcript: string; confidence: number; words: ListenWord[] }] };
  metadata: {
    request_id: string;
    model_info: { name: string; version: string; arch: string };
    model_uuid: string;
  };
}

export interface ListenMetadata {
  type: 'Metadata';
  transaction_key: 'deprecated';
  request_id: string;
  sha256: string;
  created: string;
  duration: number;
  channels: number;
  models: string[];
  model_info: Record<string, { name: string; version: string; arch: string }>;
}

export interface ListenSpeechStarted {
  type: 'SpeechStarted';
  channel: [number];
  timestamp: number;
}

export interface ListenUtteranceEnd {
  type: 'UtteranceEnd';
  channel: [number, number];
  last_word_end: number;
}

export type ListenServerMessage =
  ListenResults | ListenMetadata | ListenSpeechStarted | ListenUtteranceEnd;

/** What one result (interim or final) says, in stream seconds. */
export interface TranscriptPart {
  text: string;
  start: number;
  end: number;
  words: readonly WordTiming[];
}

export interface ResultFlags {
  isFinal: boolean;
  /** The utterance ended on silence (endpointing) or by Finalize/CloseStream. */
  speechFinal: boolean;
  fromFinalize: boolean;
}

/** The request and model a connection's messages name. */
export interface ListenContext {
  requestId: string;
  model: string;
}

const round = (seconds: number): number => Math.round(seconds * 1000) / 1000;

const stripPunctuation = (word: string): string =>
  word.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '').toLowerCase();

/**
 * Word confidence is whisper's token probability; a transcript's is the mean over its words
 * (0 when whisper gave no word timings).
 */
export function listenResults(
  part: TranscriptPart,
  flags: ResultFlags,
  context: ListenContext,
): ListenResults {
  const words: ListenWord[] = part.words
    .filter((w) => w.word.trim() !== '')
    .map((w) => ({
      word: stripPunctuation(w.word.trim()),
      start: round(w.start),
      end: round(w.end),
      confidence: round(w.probability ?? 0),
      punctuated_word: w.word.trim(),
    }));
  const confidence =
    words.length > 0 ? round(words.reduce((sum, w) => sum + w.confidence, 0) / words.length) : 0;
  return {
    type: 'Results',
    channel_index: [0, 1],
    duration: round(Math.max(0, part.end - part.start)),
    start: round(part.start),
    is_final: flags.isFinal,
    speech_final: flags.speechFinal,
    from_finalize: flags.fromFinalize,
    channel: { alternatives: [{ transcript: part.text.trim(), confidence, words }] },
    metadata: {
      request_id: context.requestId,
      model_info: { name: context.model, version: 'whisper.cpp', arch: 'whisper' },
      model_uuid: context.model,
    },
  };
}

export function listenMetadata(
  context: ListenContext,
  audio: { sha256: string; durationSeconds: number; channels: number; created: Date },
): ListenMetadata {
  return {
    type: 'Metadata',
    transaction_key: 'deprecated',
    request_id: context.requestId,
    sha256: audio.sha256,
    created: audio.created.toISOString(),
    duration: round(audio.durationSeconds),
    channels: audio.channels,
    models: [context.model],
    model_info: {
      [context.model]: { name: context.model, version: 'whisper.cpp', arch: 'whisper' },
    },
  };
}

export function listenSpeechStarted(timestamp: number): ListenSpeechStarted {
  return { type: 'SpeechStarted', channel: [0], timestamp: round(timestamp) };
}

export function listenUtteranceEnd(lastWordEnd: number): ListenUtteranceEnd {
  return { type: 'UtteranceEnd', channel: [0, 1], last_word_end: round(lastWordEnd) };
}

const CONTROLS = ['KeepAlive', 'Finalize', 'CloseStream'] as const;

const unknownControl = (type: unknown): string =>
  `unknown message type ${JSON.stringify(type)}: use KeepAlive, Finalize or CloseStream`;

/** A control message a Deepgram client sends as a text frame (binary frames are audio). */
const listenControlSchema = jsonText(
  'text frames must be JSON: {"type": "KeepAlive" | "Finalize" | "CloseStream"}',
)
  // JSON that is not an object has no type.
  .pipe(
    z.looseObject(
      { type: z.enum(CONTROLS, { error: (issue) => unknownControl(issue.input) }) },
      { error: () => unknownControl(undefined) },
    ),
  )
  .transform((message) => message.type);

export type ListenControl = z.output<typeof listenControlSchema>;

export class ListenControlError extends Error {}

export function parseListenControl(text: string): ListenControl {
  const result = listenControlSchema.safeParse(text);
  if (result.success) return result.data;
  throw new ListenControlError(firstMessage(result.error));
}
