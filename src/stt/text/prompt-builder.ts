/** whisper reads at most 224 prompt tokens; a short tail keeps decoding fast and on topic. */
export const MAX_PROMPT_CHARS = 200;

/**
 * The initial prompt for the next utterance: the end of the session's previous final text, cut
 * at a word boundary, so names and style carry across utterances.
 */
export function buildPrompt(
  previousText: string | null | undefined,
  maxChars = MAX_PROMPT_CHARS,
): string {
  const text = (previousText ?? '').replace(/\s+/g, ' ').trim();
  if (text.length <= maxChars) return text;
  const tail = text.slice(text.length - maxChars);
  const space = tail.indexOf(' ');
  return space >= 0 && space < tail.length - 1 ? tail.slice(space + 1) : tail;
}
