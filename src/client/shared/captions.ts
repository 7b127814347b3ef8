/**
 * Live subtitles: the current sentence only, wrapped into at most two lines, so text never piles
 * up. When the sentence is longer than two lines, the last two lines are shown.
 */

/** The last sentence of `text` (a sentence that ended the text is the last one). */
export function lastSentence(text: string): string {
  const clean = text.trim().replace(/\s+/g, ' ');
  if (clean === '') return '';
  // Sentence ends: . ! ? … and their CJK forms, followed by a space or the end.
  const parts = clean.split(/(?<=[.!?…。！？])\s+/);
  return parts.at(-1) ?? '';
}

/** Greedy word wrap; words longer than a line are cut. */
export function wrapLines(text: string, maxChars: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ').filter((w) => w !== '')) {
    let rest = word;
    while (rest.length > maxChars) {
      if (line) lines.push(line);
      lines.push(rest.slice(0, maxChars));
      rest = rest.slice(maxChars);
      line = '';
    }
    if (line === '') line = rest;
    else if (line.length + 1 + rest.length <= maxChars) line += ` ${rest}`;
    else {
      lines.push(line);
      line = rest;
    }
  }
  if (line) lines.push(line);
  return lines;
}

export function captionLines(text: string, maxChars = 42, maxLines = 2): string[] {
  const lines = wrapLines(lastSentence(text), maxChars);
  return lines.slice(-maxLines);
}

/**
 * What the caption shows: the interim while an utterance is in progress, otherwise the last
 * final, until it is older than `holdSeconds` (then the caption clears).
 */
export function captionSource(
  interim: string,
  lastFinal: string | undefined,
  lastFinalAgeSeconds: number,
  holdSeconds = 6,
): string {
  if (interim.trim() !== '') return interim;
  if (lastFinal && lastFinalAgeSeconds <= holdSeconds) return lastFinal;
  return '';
}
