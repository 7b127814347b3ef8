import { RealtimeEcho } from './realtime-echo';
import { type FinalFrame, type TranslationFrame } from '../../contracts/stream-frames';

function final(utterance: string, text: string): FinalFrame {
  return {
    type: 'final',
    id: '1-0',
    seq: 1,
    utterance_id: utterance,
    text,
    language: 'en',
    start: 0,
    end: 1,
    words: [],
    latency: { queueMs: 0, sttMs: 0 },
    worker: 'w',
  } as unknown as FinalFrame;
}

function translation(utterance: string, text: string, language = 'es'): TranslationFrame {
  return {
    type: 'translation',
    id: '1-1',
    seq: 1,
    utterance_id: utterance,
    language,
    text,
    source: 'en',
    engine: 'apertium',
  };
}

describe('RealtimeEcho', () => {
  it('echoes a final, then its translation with the final text, as realtime frames', () => {
    const echo = new RealtimeEcho();
    expect(echo.after(final('s:1', 'Hello world.'))).toEqual({
      type: 'realtime',
      utterance_id: 's:1',
      text: 'Hello world.',
      translation: '',
      language: 'en',
      final: true,
    });
    expect(echo.after(translation('s:1', 'Hola mundo.'))).toEqual({
      type: 'realtime',
      utterance_id: 's:1',
      text: 'Hello world.',
      translation: 'Hola mundo.',
      language: 'es',
      final: true,
    });
  });

  it('does not echo empty finals, other frames, or translations of unknown finals', () => {
    const echo = new RealtimeEcho();
    expect(echo.after(final('s:1', ''))).toBeUndefined();
    expect(echo.after(translation('s:2', 'x'))).toBeUndefined();
    expect(echo.after({ type: 'warning', code: 'c', message: 'm' } as never)).toBeUndefined();
  });

  it('remembers a bounded number of finals', () => {
    const echo = new RealtimeEcho();
    for (let i = 0; i < 100; i++) echo.after(final(`s:${i}`, `t${i}`));
    expect(echo.after(translation('s:0', 'x'))).toBeUndefined();
    expect(echo.after(translation('s:99', 'x'))?.text).toBe('t99');
  });
});
