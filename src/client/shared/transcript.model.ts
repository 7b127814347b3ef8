import type { FinalFrame, InterimFrame, ServerFrame, TranslationFrame } from './protocol';
import { joinText } from './text-join';

/** One finished utterance with its translations. */
export interface Segment {
  seq: number;
  utteranceId: string;
  text: string;
  language: string;
  start: number;
  end: number;
  worker?: string;
  translations: Record<string, string>;
}

export type TranscriptChange = 'interim' | 'final' | 'translation' | 'none';

/**
 * The session's transcript as the person sees it: finals committed in sequence order (duplicates
 * from a resume ignored), the interim of the utterance in progress replaced as it improves, and
 * translations attached to their utterance even when they arrive first.
 */
export class TranscriptModel {
  private readonly bySeq = new Map<number, Segment>();
  private readonly byUtterance = new Map<string, Segment>();
  private readonly earlyTranslations = new Map<string, Record<string, string>>();
  private interimText = '';
  private interimTranslationText = '';

  apply(frame: ServerFrame): TranscriptChange {
    switch (frame.type) {
      case 'realtime':
        return this.applyRealtime(frame);
      case 'final':
        return this.applyFinal(frame);
      case 'translation':
        return this.applyTranslation(frame);
      default:
        return 'none';
    }
  }

  applyRealtime(frame: Pick<InterimFrame, 'text'>, translation = ''): TranscriptChange {
    this.interimText = frame.text.trim();
    this.interimTranslationText = translation;
    return 'interim';
  }

  applyFinal(frame: FinalFrame): TranscriptChange {
    if (this.bySeq.has(frame.seq)) return 'none';
    const segment: Segment = {
      seq: frame.seq,
      utteranceId: frame.utterance_id,
      text: frame.text.trim(),
      language: frame.language,
      start: frame.start,
      end: frame.end,
      worker: frame.worker,
      translations: { ...(this.earlyTranslations.get(frame.utterance_id) ?? {}) },
    };
    this.earlyTranslations.delete(frame.utterance_id);
    this.bySeq.set(frame.seq, segment);
    this.byUtterance.set(frame.utterance_id, segment);
    this.interimText = '';
    this.interimTranslationText = '';
    return 'final';
  }

  applyTranslation(frame: TranslationFrame): TranscriptChange {
    const segment = this.byUtterance.get(frame.utterance_id);
    if (segment) {
      segment.translations[frame.language] = frame.text.trim();
    } else {
      const early = this.earlyTranslations.get(frame.utterance_id) ?? {};
      early[frame.language] = frame.text.trim();
      this.earlyTranslations.set(frame.utterance_id, early);
    }
    return 'translation';
  }

  /** Finals in sequence order (skipping finals with empty text). */
  get segments(): Segment[] {
    return [...this.bySeq.values()].filter((s) => s.text !== '').sort((a, b) => a.seq - b.seq);
  }

  get interim(): string {
    return this.interimText;
  }

  get interimTranslation(): string {
    return this.interimTranslationText;
  }

  get lastSegment(): Segment | undefined {
    const all = this.segments;
    return all[all.length - 1];
  }

  /** Committed text (finals) joined with sensible spacing. */
  committedText(): string {
    return this.segments.reduce((text, s) => joinText(text, s.text), '');
  }

  /** Committed text plus the interim in progress. */
  fullText(): string {
    return joinText(this.committedText(), this.interimText);
  }

  translatedText(language: string): string {
    return this.segments.reduce((text, s) => joinText(text, s.translations[language] ?? ''), '');
  }

  clear(): void {
    this.bySeq.clear();
    this.byUtterance.clear();
    this.earlyTranslations.clear();
    this.interimText = '';
    this.interimTranslationText = '';
  }
}
