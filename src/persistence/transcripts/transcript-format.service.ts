import { Injectable } from '@nestjs/common';
import { TranscriptEntry } from './transcript.types';

export const TRANSCRIPT_FORMATS = ['json', 'txt', 'srt', 'vtt'] as const;
export type TranscriptFormat = (typeof TRANSCRIPT_FORMATS)[number];

/** One utterance: its final text and every translation of it. */
export interface TranscriptSegment {
  utteranceId: string;
  index: number;
  start: number;
  end: number;
  language: string;
  text: string;
  translations: Record<string, string>;
}

export interface FormattedTranscript {
  contentType: string;
  body: string;
}

const CONTENT_TYPES: Record<TranscriptFormat, string> = {
  json: 'application/json; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  srt: 'application/x-subrip; charset=utf-8',
  vtt: 'text/vtt; charset=utf-8',
};

/** hh:mm:ss,mmm (SRT) or hh:mm:ss.mmm (WebVTT). */
export function formatTimestamp(seconds: number, separator: ',' | '.'): string {
  const totalMs = Math.max(0, Math.round(seconds * 1000));
  const ms = totalMs % 1000;
  const totalSeconds = Math.floor(totalMs / 1000);
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  return (
    `${pad(Math.floor(totalSeconds / 3600))}:${pad(Math.floor(totalSeconds / 60) % 60)}:` +
    `${pad(totalSeconds % 60)}${separator}${pad(ms, 3)}`
  );
}

/** Cue text on one line: a blank line would end the cue early in both subtitle formats. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

function escapeVtt(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Pure: archived lines to segments, transcripts to json/txt/srt/vtt. */
@Injectable()
export class TranscriptFormatService {
  /** Groups lines by utterance, in utterance order. A translation without its final is skipped. */
  segments(entries: readonly TranscriptEntry[]): TranscriptSegment[] {
    const byUtterance = new Map<string, TranscriptSegment>();
    const sorted = [...entries].sort(
      (a, b) => a.seq - b.seq || (a.kind === b.kind ? 0 : a.kind === 'final' ? -1 : 1),
    );
    for (const entry of sorted) {
      if (entry.kind === 'final') {
        const start = entry.start ?? 0;
        byUtterance.set(entry.utteranceId, {
          utteranceId: entry.utteranceId,
          index: entry.seq,
          start,
          end: Math.max(start, entry.end ?? start),
          language: entry.language,
          text: entry.text,
          translations: byUtterance.get(entry.utteranceId)?.translations ?? {},
        });
      } else {
        const segment = byUtterance.get(entry.utteranceId);
        if (segment) segment.translations[entry.language] = entry.text;
      }
    }
    return [...byUtterance.values()].sort((a, b) => a.index - b.index || a.start - b.start);
  }

  /**
   * `language` picks which text the lines carry: a translation language, or (default) each
   * utterance's own text. Utterances without that translation are left out of txt/srt/vtt.
   */
  format(
    sessionId: string,
    entries: readonly TranscriptEntry[],
    format: TranscriptFormat,
    language?: string,
  ): FormattedTranscript {
    const segments = this.segments(entries);
    const lines = segments
      .map((segment) => ({
        segment,
        text:
          language === undefined || language === segment.language
            ? segment.text
            : segment.translations[language],
      }))
      .filter((line): line is { segment: TranscriptSegment; text: string } => !!line.text?.trim());
    const contentType = CONTENT_TYPES[format];
    switch (format) {
      case 'json':
        return {
          contentType,
          body: JSON.stringify({ sessionId, language: language ?? null, segments }),
        };
      case 'txt':
        return { contentType, body: lines.map((line) => `${oneLine(line.text)}\n`).join('') };
      case 'srt':
        return {
          contentType,
          body: lines
            .map(
              (line, i) =>
                `${i + 1}\n${formatTimestamp(line.segment.start, ',')} --> ` +
                `${formatTimestamp(line.segment.end, ',')}\n${oneLine(line.text)}\n`,
            )
            .join('\n'),
        };
      case 'vtt':
        return {
          contentType,
          body:
            'WEBVTT\n\n' +
            lines
              .map(
                (line) =>
                  `${formatTimestamp(line.segment.start, '.')} --> ` +
                  `${formatTimestamp(line.segment.end, '.')}\n${escapeVtt(oneLine(line.text))}\n`,
              )
              .join('\n'),
        };
    }
  }
}
