import { captionLines, captionSource } from '../src/client/shared/captions';
import type { TranscriptModel } from '../src/client/shared/transcript.model';

export type CaptionShow = 'both' | 'transcript' | 'translation';

/**
 * Two-line live captions of the current sentence: the interim while someone speaks, then the
 * final (and its translation) for a few seconds. Renders into an element with `.transcript` and
 * `.translation` lines.
 */
export class CaptionView {
  private lastFinalAt = 0;
  private lastSeq = 0;

  constructor(
    private readonly root: HTMLElement,
    public show: CaptionShow = 'both',
    public language = '',
    private readonly maxChars = 42,
  ) {}

  render(model: TranscriptModel): void {
    const last = model.lastSegment;
    if (last && last.seq !== this.lastSeq) {
      this.lastSeq = last.seq;
      this.lastFinalAt = Date.now();
    }
    const age = (Date.now() - this.lastFinalAt) / 1000;
    const transcript = captionSource(model.interim, last?.text, age);
    const translated = model.interim
      ? model.interimTranslation
      : age <= 6 && last && this.language
        ? (last.translations[this.language] ?? '')
        : '';
    const transcriptLines =
      this.show === 'translation' ? [] : captionLines(transcript, this.maxChars);
    const translationLines =
      this.show === 'transcript' ? [] : captionLines(translated, this.maxChars);
    // Two lines in all: with both shown, one line each.
    const both = transcriptLines.length > 0 && translationLines.length > 0;
    const t = both ? transcriptLines.slice(-1) : transcriptLines;
    const tr = both ? translationLines.slice(-1) : translationLines;
    this.setLine('.transcript', t.join('\n'));
    this.setLine('.translation', tr.join('\n'));
    this.root.dataset.empty = String(t.length === 0 && tr.length === 0);
  }

  private setLine(selector: string, text: string): void {
    const line = this.root.querySelector<HTMLElement>(selector);
    if (line && line.textContent !== text) line.textContent = text;
  }
}
