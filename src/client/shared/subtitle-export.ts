import type { Segment } from './transcript.model';

export interface ExportOptions {
  /** Use this translation instead of the transcript (segments without one keep their text). */
  language?: string;
  /** Both transcript and translation, one line each. */
  bilingual?: boolean;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** hh:mm:ss + separator + mmm. */
export function formatTimestamp(seconds: number, separator: ',' | '.'): string {
  const totalMs = Math.max(0, Math.round(seconds * 1000));
  const ms = totalMs % 1000;
  const s = Math.floor(totalMs / 1000) % 60;
  const m = Math.floor(totalMs / 60_000) % 60;
  const h = Math.floor(totalMs / 3_600_000);
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}${separator}${pad(ms, 3)}`;
}

function cueText(segment: Segment, options: ExportOptions): string {
  const translated = options.language ? segment.translations[options.language] : undefined;
  if (options.bilingual && translated) return `${segment.text}\n${translated}`;
  return translated ?? segment.text;
}

/** Each segment with its cue times: never shorter than 0.5 s, never overlapping the next cue. */
function timedCues(segments: Segment[]): Array<[Segment, number, number]> {
  return segments.map((s, i) => {
    const start = s.start;
    let end = Math.max(s.end, start + 0.5);
    const next = segments[i + 1];
    if (next && end > next.start) end = Math.max(start + 0.001, next.start);
    return [s, start, end];
  });
}

export function toSrt(segments: Segment[], options: ExportOptions = {}): string {
  return timedCues(segments)
    .map(([s, start, end], i) => {
      const range = `${formatTimestamp(start, ',')} --> ${formatTimestamp(end, ',')}`;
      return `${i + 1}\n${range}\n${cueText(s, options)}\n`;
    })
    .join('\n');
}

export function toVtt(segments: Segment[], options: ExportOptions = {}): string {
  const cues = timedCues(segments).map(([s, start, end]) => {
    // "-->" may not appear in a cue's text.
    const text = cueText(s, options).replace(/-->/g, '->');
    return `${s.seq}\n${formatTimestamp(start, '.')} --> ${formatTimestamp(end, '.')}\n${text}\n`;
  });
  return ['WEBVTT\n', ...cues].join('\n');
}
