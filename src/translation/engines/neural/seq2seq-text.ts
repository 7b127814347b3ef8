/**
 * Text handling around the neural models (NLLB, opus-mt), everything up to the model call:
 * inputs are normalised and cut into sentences no longer than the model handles well (both were
 * trained on single sentences and degrade or truncate on long paragraphs), outputs are cleaned of
 * special and language tokens that a decoder may leak, and joined back.
 */
export const MAX_SEGMENT_CHARS = 400;

/** Collapses runs of whitespace (transcripts carry stray spaces) and removes control characters. */
export function normalizeInput(text: string): string {
  return [...text]
    .filter((ch) => !isControl(ch))
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
}

function isControl(ch: string): boolean {
  const code = ch.charCodeAt(0);
  return (code < 0x20 && ch !== '\n' && ch !== '\r' && ch !== '\t') || code === 0x7f;
}

/**
 * Sentences of the input, each at most `maxChars` long: split after sentence-ending punctuation
 * followed by a space (or directly after CJK full stops), then long sentences at commas or spaces.
 */
export function splitSentences(text: string, maxChars = MAX_SEGMENT_CHARS): string[] {
  const normalized = normalizeInput(text);
  if (normalized === '') return [];
  const sentences = normalized
    .split(/(?<=[.!?…;])\s+(?=\S)|(?<=[。！？])/u)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length > 0);
  return sentences.flatMap((sentence) => splitLong(sentence, maxChars));
}

function splitLong(sentence: string, maxChars: number): string[] {
  if (sentence.length <= maxChars) return [sentence];
  const parts: string[] = [];
  let rest = sentence;
  while (rest.length > maxChars) {
    const window = rest.slice(0, maxChars);
    let cut = Math.max(window.lastIndexOf(', '), window.lastIndexOf('; '));
    if (cut < maxChars / 2) cut = window.lastIndexOf(' ');
    if (cut <= 0) cut = maxChars - 1;
    parts.push(rest.slice(0, cut + 1).trim());
    rest = rest.slice(cut + 1).trim();
  }
  if (rest.length > 0) parts.push(rest);
  return parts;
}

/** Tokens a decoder may leave in its text: `</s>`, `<pad>`, `<unk>`, NLLB `spa_Latn`, opus `>>es<<`. */
const SPECIAL_TOKENS =
  /<\/?s>|<pad>|<unk>|<mask>|>>[a-z]{2,3}(?:_[A-Za-z]+)?<<|(?<![\p{L}\p{N}])[a-z]{3}_[A-Z][a-z]{3}(?![\p{L}\p{N}])/gu;

export function cleanOutput(text: string): string {
  return text
    .replace(SPECIAL_TOKENS, ' ')
    .replace(/\u2581/g, ' ') // SentencePiece word boundary left by a raw decode
    .replace(/\s+([,.;:!?])/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Joins translated sentences; scripts that write without spaces are joined without them. */
export function joinSentences(sentences: string[], targetFlores: string): string {
  const noSpaces = /_(Jpan|Hans|Hant|Thai|Khmr|Mymr|Laoo|Tibt)$/.test(targetFlores);
  return sentences
    .map(cleanOutput)
    .filter((s) => s.length > 0)
    .join(noSpaces ? '' : ' ');
}
