import { type SegmentDetail, type WordTiming } from '../contracts/result-messages';
import { type AudioRequest, type AudioTask, type Granularity } from './audio-request';

/** One VAD segment of an upload, transcribed: what the stt worker's final said about it. */
export interface TranscribedPiece {
  /** Seconds from the start of the file. */
  start: number;
  end: number;
  text: string;
  language: string;
  words: WordTiming[];
  /** Whisper's segments within the piece (when asked for). */
  segments?: SegmentDetail[];
}

export interface FileTranscript {
  task: AudioTask;
  /** Seconds of audio in the file. */
  duration: number;
  /** ISO 639-1 code asked for, or 'auto'. */
  requestedLanguage: string;
  /** Temperature the decoding started at. */
  temperature: number;
  pieces: TranscribedPiece[];
}

export interface VerboseSegment {
  id: number;
  seek: number;
  start: number;
  end: number;
  text: string;
  tokens: number[];
  temperature: number;
  avg_logprob: number;
  compression_ratio: number;
  no_speech_prob: number;
}

export interface VerboseTranscript {
  task: 'transcribe' | 'translate';
  language: string;
  duration: number;
  text: string;
  segments?: VerboseSegment[];
  words?: { word: string; start: number; end: number }[];
  usage: { type: 'duration'; seconds: number };
}

const round = (value: number): number => Math.round(value * 1000) / 1000;

/** The text of the whole file: the pieces' texts in order, one space between. */
export function transcriptText(pieces: readonly TranscribedPiece[]): string {
  return pieces
    .map((piece) => piece.text.trim())
    .filter(Boolean)
    .join(' ');
}

/** Seconds billed: OpenAI reports whole seconds, rounded up. */
export function billedSeconds(duration: number): number {
  return Math.ceil(duration);
}

const LANGUAGE_NAMES = new Intl.DisplayNames(['en'], { type: 'language' });

/** OpenAI names the language in English words, lower case ("english"), not with its code. */
export function languageName(code: string): string {
  if (!code || code === 'und' || code === 'auto') return 'unknown';
  try {
    return (LANGUAGE_NAMES.of(code) ?? code).toLowerCase();
  } catch {
    return code;
  }
}

/** The language of the transcript: the one asked for, else the most frequent one detected. */
export function transcriptLanguage(transcript: FileTranscript): string {
  if (transcript.task === 'translate') return 'en';
  if (transcript.requestedLanguage !== 'auto') return transcript.requestedLanguage;
  const seconds = new Map<string, number>();
  for (const piece of transcript.pieces) {
    if (!piece.text.trim()) continue;
    seconds.set(piece.language, (seconds.get(piece.language) ?? 0) + (piece.end - piece.start));
  }
  let best = 'und';
  for (const [language, total] of seconds) {
    if (total > (seconds.get(best) ?? 0)) best = language;
  }
  return best;
}

/**
 * The timed segments of the transcript: whisper's own segments where the worker sent them,
 * otherwise one per VAD piece. Pieces without text have no segment.
 */
export function timedSegments(pieces: readonly TranscribedPiece[]): SegmentDetail[] {
  return pieces.flatMap((piece): SegmentDetail[] => {
    if (piece.segments && piece.segments.length > 0) {
      return piece.segments.filter((segment) => segment.text.trim() !== '');
    }
    if (!piece.text.trim()) return [];
    return [
      {
        start: piece.start,
        end: piece.end,
        text: piece.text.trim(),
        tokens: [],
        avgLogprob: 0,
        compressionRatio: 0,
        noSpeechProb: 0,
      },
    ];
  });
}

export function toVerboseJson(
  transcript: FileTranscript,
  granularities: readonly Granularity[],
): VerboseTranscript {
  const segments = timedSegments(transcript.pieces);
  const verbose: VerboseTranscript = {
    task: transcript.task,
    language: languageName(transcriptLanguage(transcript)),
    duration: round(transcript.duration),
    text: transcriptText(transcript.pieces),
    usage: { type: 'duration', seconds: billedSeconds(transcript.duration) },
  };
  if (granularities.includes('segment')) {
    verbose.segments = segments.map((segment, id) => ({
      id,
      // Whisper's seek is the 10 ms frame its 30 s window started at.
      seek: Math.round(segment.start * 100),
      start: round(segment.start),
      end: round(segment.end),
      text: segment.text.startsWith(' ') ? segment.text : ` ${segment.text}`,
      tokens: segment.tokens,
      temperature: transcript.temperature,
      avg_logprob: segment.avgLogprob,
      compression_ratio: segment.compressionRatio,
      no_speech_prob: segment.noSpeechProb,
    }));
  }
  if (granularities.includes('word')) {
    verbose.words = transcript.pieces.flatMap((piece) =>
      piece.words.map((word) => ({ word: word.word, start: word.start, end: word.end })),
    );
  }
  return verbose;
}

function clock(seconds: number, separator: ',' | '.'): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return `${pad(h)}:${pad(m)}:${pad(s)}${separator}${pad(ms % 1000, 3)}`;
}

export function toSrt(pieces: readonly TranscribedPiece[]): string {
  return timedSegments(pieces)
    .map(
      (segment, i) =>
        `${i + 1}\n${clock(segment.start, ',')} --> ${clock(segment.end, ',')}\n${segment.text.trim()}\n`,
    )
    .join('\n');
}

export function toVtt(pieces: readonly TranscribedPiece[]): string {
  const cues = timedSegments(pieces).map(
    (segment) =>
      `${clock(segment.start, '.')} --> ${clock(segment.end, '.')}\n${segment.text.trim()}\n`,
  );
  return ['WEBVTT\n', ...cues].join('\n');
}

/** The response body of a finished transcript in the format the request asked for. */
export function renderTranscript(
  transcript: FileTranscript,
  request: Pick<AudioRequest, 'responseFormat' | 'granularities'>,
): { contentType: string; body: string } {
  const json = (value: unknown) => ({
    contentType: 'application/json',
    body: JSON.stringify(value),
  });
  switch (request.responseFormat) {
    case 'json':
      return json({
        text: transcriptText(transcript.pieces),
        usage: { type: 'duration', seconds: billedSeconds(transcript.duration) },
      });
    case 'verbose_json':
      return json(toVerboseJson(transcript, request.granularities));
    case 'text':
      return { contentType: 'text/plain', body: `${transcriptText(transcript.pieces)}\n` };
    case 'srt':
      return { contentType: 'application/x-subrip', body: toSrt(transcript.pieces) };
    case 'vtt':
      return { contentType: 'text/vtt', body: toVtt(transcript.pieces) };
  }
}
