import { type FinalResult, type TranslationResult } from '../../contracts/result-messages';
import { toTranscriptEntry } from './transcript.types';

const at = new Date(1000);

describe('toTranscriptEntry', () => {
  it('keeps finals with their timing', () => {
    const final: FinalResult = {
      type: 'final',
      utteranceId: 'u3',
      index: 3,
      text: 'hi',
      language: 'en',
      start: 1.5,
      end: 2,
      words: [],
      latency: { queueMs: 0, sttMs: 0 },
      worker: 'w',
    };
    expect(toTranscriptEntry('s', 'k', final, at)).toEqual({
      sessionId: 's',
      keyId: 'k',
      utteranceId: 'u3',
      seq: 3,
      kind: 'final',
      language: 'en',
      sourceLanguage: null,
      text: 'hi',
      start: 1.5,
      end: 2,
      createdAt: at,
    });
  });

  it('keeps translations of finals, not of interims, and nothing else', () => {
    const translation: TranslationResult = {
      type: 'translation',
      utteranceId: 'u3',
      index: 3,
      kind: 'final',
      language: 'es',
      source: 'en',
      text: 'hola',
      passthrough: false,
      engine: 'apertium',
      latencyMs: 1,
    };
    expect(toTranscriptEntry('s', 'k', translation, at)).toMatchObject({
      kind: 'translation',
      language: 'es',
      sourceLanguage: 'en',
      start: null,
    });
    const interimTranslation: TranslationResult = { ...translation, kind: 'interim' };
    expect(toTranscriptEntry('s', 'k', interimTranslation, at)).toBeUndefined();
    expect(toTranscriptEntry('s', 'k', { type: 'interim' }, at)).toBeUndefined();
    expect(toTranscriptEntry('s', 'k', { type: 'warning' }, at)).toBeUndefined();
  });
});
