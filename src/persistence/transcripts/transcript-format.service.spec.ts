import { TranscriptFormatService, formatTimestamp } from './transcript-format.service';
import { type TranscriptEntry } from './transcript.types';

function entry(overrides: Partial<TranscriptEntry>): TranscriptEntry {
  return {
    sessionId: 's',
    keyId: 'k',
    utteranceId: 'u0',
    seq: 0,
    kind: 'final',
    language: 'en',
    sourceLanguage: null,
    text: 'Hello there.',
    start: 0.5,
    end: 2.25,
    createdAt: new Date(0),
    ...overrides,
  };
}

const ENTRIES: TranscriptEntry[] = [
  // Out of order on purpose: translations before finals, later utterance first.
  entry({
    utteranceId: 'u1',
    seq: 1,
    kind: 'translation',
    language: 'es',
    sourceLanguage: 'en',
    text: 'Adiós <pronto> & bien.',
    start: null,
    end: null,
  }),
  entry({
    utteranceId: 'u1',
    seq: 1,
    text: 'Bye\n\nfor now <soon> & well.',
    start: 3661.001,
    end: 3663,
  }),
  entry({
    kind: 'translation',
    language: 'es',
    sourceLanguage: 'en',
    text: 'Hola.',
    start: null,
    end: null,
  }),
  entry({}),
  // A translation whose final never arrived is left out.
  entry({ utteranceId: 'u9', seq: 9, kind: 'translation', language: 'es', text: 'huérfano' }),
];

describe('TranscriptFormatService', () => {
  const formatter = new TranscriptFormatService();

  it('formats SRT and WebVTT timestamps', () => {
    expect(formatTimestamp(0, ',')).toBe('00:00:00,000');
    expect(formatTimestamp(3661.001, ',')).toBe('01:01:01,001');
    expect(formatTimestamp(59.9996, '.')).toBe('00:01:00.000');
    expect(formatTimestamp(-3, '.')).toBe('00:00:00.000');
    expect(formatTimestamp(36_000.5, '.')).toBe('10:00:00.500');
  });

  it('groups finals with their translations in utterance order', () => {
    expect(formatter.segments(ENTRIES)).toEqual([
      {
        utteranceId: 'u0',
        index: 0,
        start: 0.5,
        end: 2.25,
        language: 'en',
        text: 'Hello there.',
        translations: { es: 'Hola.' },
      },
      {
        utteranceId: 'u1',
        index: 1,
        start: 3661.001,
        end: 3663,
        language: 'en',
        text: 'Bye\n\nfor now <soon> & well.',
        translations: { es: 'Adiós <pronto> & bien.' },
      },
    ]);
  });

  it('json carries every segment with its translations', () => {
    const out = formatter.format('s', ENTRIES, 'json');
    expect(out.contentType).toBe('application/json; charset=utf-8');
    const body = JSON.parse(out.body);
    expect(body.sessionId).toBe('s');
    expect(body.segments).toHaveLength(2);
    expect(body.segments[0].translations).toEqual({ es: 'Hola.' });
  });

  it('txt is one line per utterance, in the chosen language', () => {
    expect(formatter.format('s', ENTRIES, 'txt').body).toBe(
      'Hello there.\nBye for now <soon> & well.\n',
    );
    expect(formatter.format('s', ENTRIES, 'txt', 'es').body).toBe(
      'Hola.\nAdiós <pronto> & bien.\n',
    );
    expect(formatter.format('s', ENTRIES, 'txt', 'de').body).toBe('');
  });

  it('srt numbers cues from 1 with comma milliseconds and no blank line inside a cue', () => {
    const out = formatter.format('s', ENTRIES, 'srt');
    expect(out.contentType).toBe('application/x-subrip; charset=utf-8');
    expect(out.body).toBe(
      '1\n00:00:00,500 --> 00:00:02,250\nHello there.\n\n' +
        '2\n01:01:01,001 --> 01:01:03,000\nBye for now <soon> & well.\n',
    );
  });

  it('vtt has the header, dot milliseconds and escaped markup', () => {
    const out = formatter.format('s', ENTRIES, 'vtt', 'es');
    expect(out.contentType).toBe('text/vtt; charset=utf-8');
    expect(out.body).toBe(
      'WEBVTT\n\n' +
        '00:00:00.500 --> 00:00:02.250\nHola.\n\n' +
        '01:01:01.001 --> 01:01:03.000\nAdiós &lt;pronto&gt; &amp; bien.\n',
    );
  });

  it('never lets a cue end before it starts', () => {
    const [segment] = formatter.segments([entry({ start: 5, end: 4 })]);
    expect(segment.end).toBe(5);
  });
});
