import { type FinalResult, type TranslationResult } from '../../contracts/result-messages';

/** One archived line: a final, or one translation of a final. */
export interface TranscriptEntry {
  sessionId: string;
  keyId: string;
  utteranceId: string;
  /** The utterance's index in the session (FinalResult.index). */
  seq: number;
  kind: 'final' | 'translation';
  language: string;
  /** For translations: the language of the final it was translated from. */
  sourceLanguage: string | null;
  text: string;
  /** Seconds from session start (finals). */
  start: number | null;
  end: number | null;
  createdAt: Date;
}

/** Results worth keeping: finals, and translations of finals (interims are not archived). */
export type ArchivableResult = FinalResult | TranslationResult;

/** Maps a delivered result to the row it becomes, or undefined for results we do not keep. */
export function toTranscriptEntry(
  sessionId: string,
  keyId: string,
  message: { type: string },
  createdAt: Date,
): TranscriptEntry | undefined {
  if (message.type === 'final') {
    const final = message as FinalResult;
    return {
      sessionId,
      keyId,
      utteranceId: final.utteranceId,
      seq: final.index,
      kind: 'final',
      language: final.language,
      sourceLanguage: null,
      text: final.text,
      start: Number.isFinite(final.start) ? final.start : null,
      end: Number.isFinite(final.end) ? final.end : null,
      createdAt,
    };
  }
  if (message.type === 'translation') {
    const translation = message as TranslationResult;
    if (translation.kind !== 'final') return undefined;
    return {
      sessionId,
      keyId,
      utteranceId: translation.utteranceId,
      seq: translation.index,
      kind: 'translation',
      language: translation.language,
      sourceLanguage: translation.source,
      text: translation.text,
      start: null,
      end: null,
      createdAt,
    };
  }
  return undefined;
}
