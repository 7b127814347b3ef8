import type { FinalFrame, InterimFrame, TranslationFrame } from './protocol';
import { TranscriptModel } from './transcript.model';
import { joinText } from './text-join';

const final = (seq: number, text: string, extra: Partial<FinalFrame> = {}): FinalFrame => ({
  type: 'final',
  utterance_id: `s:${seq}`,
  seq,
  text,
  translation: '',
  language: 'en',
  start: seq,
  end: seq + 0.5,
  ...extra,
});

const interim = (text: string): InterimFrame => ({
  type: 'realtime',
  utterance_id: 'u',
  text,
  translation: '',
  language: 'en',
});

const translation = (utterance: string, text: string): TranslationFrame => ({
  type: 'translation',
  id: '',
  seq: 0,
  utterance_id: utterance,
  language: 'es',
  text,
  source: 'en',
  engine: 'marian',
});

describe('TranscriptModel', () => {
  it('replaces the interim in place and commits finals with spacing', () => {
    const m = new TranscriptModel();
    m.apply(interim('And so my'));
    expect(m.fullText()).toBe('And so my');
    m.apply(interim('And so my fellow'));
    expect(m.fullText()).toBe('And so my fellow');
    m.apply(final(1, ' And so my fellow Americans, '));
    expect(m.interim).toBe('');
    m.apply(interim('ask not'));
    expect(m.fullText()).toBe('And so my fellow Americans, ask not');
    m.apply(final(2, 'ask not.'));
    expect(m.committedText()).toBe('And so my fellow Americans, ask not.');
  });

  it('orders finals by seq and ignores duplicates from a resume', () => {
    const m = new TranscriptModel();
    expect(m.apply(final(2, 'two'))).toBe('final');
    m.apply(final(1, 'one'));
    expect(m.apply(final(2, 'again'))).toBe('none');
    expect(m.committedText()).toBe('one two');
    expect(m.segments.map((s) => s.seq)).toEqual([1, 2]);
  });

  it('attaches translations to their utterance, even when they come first', () => {
    const m = new TranscriptModel();
    m.apply(translation('s:1', 'hola'));
    m.apply(final(1, 'hello'));
    m.apply(final(2, 'world'));
    m.apply(translation('s:2', 'mundo'));
    expect(m.translatedText('es')).toBe('hola mundo');
    expect(m.lastSegment?.translations).toEqual({ es: 'mundo' });
  });

  it('skips empty finals but still clears the interim', () => {
    const m = new TranscriptModel();
    m.apply(interim('uh'));
    m.apply(final(1, ''));
    expect(m.fullText()).toBe('');
    expect(m.segments).toEqual([]);
  });
});

describe('joinText', () => {
  it('adds spaces between words but not before punctuation or inside CJK', () => {
    expect(joinText('Hello', 'world')).toBe('Hello world');
    expect(joinText('Hello', ', world')).toBe('Hello, world');
    expect(joinText('Hello ', 'world')).toBe('Hello world');
    expect(joinText('', '  hi  there ')).toBe('hi there');
    expect(joinText('你好', '世界')).toBe('你好世界');
    expect(joinText('(', 'aside)')).toBe('(aside)');
  });
});
