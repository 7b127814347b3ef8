import { separator } from './text-join';

/** Keystrokes that turn what is on screen into what should be there. */
export interface TypingStep {
  backspaces: number;
  text: string;
}

/**
 * Voice typing into a text field we cannot read back (xdotool) or into a textarea the person may
 * edit: the interim of the utterance in progress is replaced in place as it improves (erasing only
 * the characters that changed), a final replaces the interim and is committed. Committed text is
 * never touched again.
 */
export class TypingPlanner {
  /** What we typed for the utterance in progress (separator included). */
  private pending = '';
  /** The tail of the committed text, for spacing decisions. */
  private committedTail = '';

  constructor(private readonly typeInterims = true) {}

  interim(text: string): TypingStep {
    if (!this.typeInterims) return { backspaces: 0, text: '' };
    return this.replacePending(this.withSeparator(text));
  }

  final(text: string): TypingStep {
    const step = this.replacePending(this.withSeparator(text));
    this.committedTail = (this.committedTail + this.pending).slice(-16);
    this.pending = '';
    return step;
  }

  /** What is on screen for the utterance in progress. */
  get onScreen(): string {
    return this.pending;
  }

  private withSeparator(text: string): string {
    const piece = text.trim().replace(/\s+/g, ' ');
    if (piece === '') return '';
    return separator(this.committedTail, piece) + piece;
  }

  private replacePending(next: string): TypingStep {
    const prev = this.pending;
    let common = 0;
    while (common < prev.length && common < next.length && prev[common] === next[common]) {
      common++;
    }
    // Characters, not UTF-16 units: one backspace erases one user-perceived character.
    const backspaces = [...prev.slice(common)].length;
    this.pending = next;
    return { backspaces, text: next.slice(common) };
  }
}

/**
 * The same idea for an editable textarea: the interim lives at a known place in the value; if the
 * person edited that place, new text is appended instead of overwriting their edit.
 */
export class TextAreaTyping {
  private interimStart = -1;
  private interimText = '';

  /** The textarea's new value with `text` as the interim of the utterance in progress. */
  interim(value: string, text: string): string {
    return this.put(value, text, false);
  }

  /** The textarea's new value with `text` committed in place of the interim. */
  final(value: string, text: string): string {
    return this.put(value, text, true);
  }

  private put(value: string, text: string, commit: boolean): string {
    let base = value;
    if (
      this.interimStart >= 0 &&
      value.slice(this.interimStart, this.interimStart + this.interimText.length) ===
        this.interimText &&
      this.interimStart + this.interimText.length === value.length
    ) {
      base = value.slice(0, this.interimStart);
    }
    const piece = text.trim().replace(/\s+/g, ' ');
    const sep = piece === '' ? '' : separator(base, piece);
    const inserted = sep + piece;
    if (commit || inserted === '') {
      this.interimStart = -1;
      this.interimText = '';
    } else {
      this.interimStart = base.length;
      this.interimText = inserted;
    }
    return base + inserted;
  }

  reset(): void {
    this.interimStart = -1;
    this.interimText = '';
  }
}
