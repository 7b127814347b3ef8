/** Spacing rules for putting transcript pieces one after another. */

const NO_SPACE_BEFORE = /^[,.;:!?%)\]}»”’…、。，！？：；]/;
const NO_SPACE_AFTER = /[([{«“‘\s]$/;
// Scripts written without spaces between words or sentences.
const UNSPACED = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u0e00-\u0e7f]/;

/** Whether a space belongs between `before` and `after`. */
export function needsSpace(before: string, after: string): boolean {
  if (before === '' || after === '') return false;
  if (/\s$/.test(before) || /^\s/.test(after)) return false;
  if (NO_SPACE_BEFORE.test(after) || NO_SPACE_AFTER.test(before)) return false;
  if (UNSPACED.test(before.slice(-1)) && UNSPACED.test(after.charAt(0))) return false;
  return true;
}

/** `before` followed by `after` with sensible spacing; whitespace around `after` is trimmed. */
export function joinText(before: string, after: string): string {
  const piece = after.trim().replace(/\s+/g, ' ');
  if (piece === '') return before;
  return needsSpace(before, piece) ? `${before} ${piece}` : before + piece;
}

/** The separator to type before `after` when `before` is already on screen. */
export function separator(before: string, after: string): string {
  return needsSpace(before, after.trim()) ? ' ' : '';
}
