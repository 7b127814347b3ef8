import { formatTimestamp, toSrt, toVtt } from './subtitle-export';
import type { Segment } from './transcript.model';

const seg = (seq: number, start: number, end: number, text: string, es?: string): Segment => ({
  seq,
  utteranceId: `s:${seq}`,
  text,
  language: 'en',
  start,
  end,
  translations: es ? { es } : {},
});

describe('subtitle export', () => {
  it('formats timestamps for SRT and VTT', () => {
    expect(formatTimestamp(0, ',')).toBe('00:00:00,000');
    expect(formatTimestamp(3723.4567, '.')).toBe('01:02:03.457');
  });

  it('writes SRT cues numbered from 1', () => {
    const srt = toSrt([seg(1, 0.2, 2.5, 'Hello there.'), seg(2, 3, 4.25, 'Bye.')]);
    expect(srt).toBe(
      '1\n00:00:00,200 --> 00:00:02,500\nHello there.\n\n2\n00:00:03,000 --> 00:00:04,250\nBye.\n',
    );
  });

  it('writes WebVTT with a header, translation or both', () => {
    const segments = [seg(1, 0, 1, 'Hello', 'Hola'), seg(2, 1.5, 2, 'a --> b')];
    expect(toVtt(segments)).toBe(
      'WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.000\nHello\n\n2\n00:00:01.500 --> 00:00:02.000\na -> b\n',
    );
    expect(toVtt(segments, { language: 'es' })).toContain('\nHola\n');
    expect(toVtt(segments, { language: 'es', bilingual: true })).toContain('\nHello\nHola\n');
  });

  it('gives short cues half a second without overlapping the next', () => {
    const srt = toSrt([seg(1, 1, 1.1, 'a'), seg(2, 1.3, 2, 'b')]);
    expect(srt).toContain('00:00:01,000 --> 00:00:01,300');
    expect(toSrt([seg(1, 1, 1.1, 'a')])).toContain('00:00:01,000 --> 00:00:01,500');
  });
});
