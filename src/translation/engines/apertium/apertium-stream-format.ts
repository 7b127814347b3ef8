import { htmlSegments } from '../../formats/html-segments';

/**
 * Apertium's stream format for plain text, done in-process instead of through apertium-destxt /
 * apertium-retxt (those do not keep the NUL that frames each request in null-flush mode).
 *
 * In: reserved characters are backslash-escaped, whitespace other than spaces and the `~` that
 * lt-proc -p treats specially go into superblanks (`[...]`, passed through untouched), and like
 * apertium-destxt we append `.[]` (a period the tagger needs, removed again on the way out). A
 * leading superblank carries the request id so answers can be matched to requests.
 *
 * Out: superblanks are unwrapped, escapes resolved, the inserted period dropped, and the marks
 * Apertium puts in front of words it could not handle (`*` unknown word, `#` generation error,
 * `@` transfer error) removed for display and counted.
 */
const RESERVED = new Set(['\\', '[', ']', '^', '$', '/', '<', '>', '@', '{', '}']);
const SUPERBLANK = new Set(['\n', '\r', '\t', '~', '\f', '\v']);
const MARKS = new Set(['*', '#', '@']);
const ID_BLANK = /^tr(\d+)$/;

export function toApertiumStream(text: string, id: number): string {
  return `[tr${id}]${escapeText(text)}.[]\0`;
}

/**
 * HTML in Apertium's stream format, as apertium-deshtml would give it: markup (tags with their
 * attributes, comments, script and style, non-letter entities) goes into superblanks, which every
 * stage passes through in place, and the prose between them is translated as one text.
 */
export function toApertiumHtmlStream(html: string, id: number): string {
  let out = `[tr${id}]`;
  for (const segment of htmlSegments(html)) {
    out += segment.kind === 'text' ? escapeProse(segment.value) : `[${escapeBlank(segment.value)}]`;
  }
  return `${out}.[]\0`;
}

/** What `&`, `<` and `>` of prose come back as: entities, as every other engine's output has them. */
const PROSE_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** Prose of an HTML request: its `&`, `<`, `>` go through as superblanks holding the entity. */
function escapeProse(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const entity = PROSE_ENTITIES[text.charAt(i)];
    if (entity === undefined) continue;
    out += `${escapeText(text.slice(from, i))}[${entity}]`;
    from = i + 1;
  }
  return out + escapeText(text.slice(from));
}

function escapeText(text: string): string {
  let out = '';
  for (const ch of text) {
    if (ch === '\0') continue;
    if (RESERVED.has(ch)) out += `\\${ch}`;
    else if (SUPERBLANK.has(ch)) out += `[${ch}]`;
    else out += ch;
  }
  return out;
}

function escapeBlank(markup: string): string {
  let out = '';
  for (const ch of markup) {
    if (ch === '\0') continue;
    out += RESERVED.has(ch) ? `\\${ch}` : ch;
  }
  return out;
}

export interface ApertiumOutput {
  /** The request id from the leading superblank, when present. */
  id: number | undefined;
  text: string;
  /** Words Apertium marked as unknown (`*`), without the mark. */
  unknownWords: string[];
  /** Words marked with a generation (`#`) or transfer (`@`) error. */
  errorWords: string[];
}

export function fromApertiumStream(chunk: string): ApertiumOutput {
  let id: number | undefined;
  let text = '';
  const unknownWords: string[] = [];
  const errorWords: string[] = [];
  let i = 0;
  while (i < chunk.length) {
    const ch = chunk.charAt(i);
    if (ch === '\\' && i + 1 < chunk.length) {
      text += chunk[i + 1];
      i += 2;
    } else if (ch === '[') {
      const end = findBlankEnd(chunk, i + 1);
      const content = unescape(chunk.slice(i + 1, end));
      const idMatch = ID_BLANK.exec(content);
      if (idMatch && id === undefined) id = Number(idMatch[1]);
      else if (content === '') {
        // The period the deformatter inserted sits right before the empty superblank.
        if (text.endsWith('.')) text = text.slice(0, -1);
      } else if (!idMatch) text += content;
      i = end + 1;
    } else if (
      MARKS.has(ch) &&
      i + 1 < chunk.length &&
      isWordStart(chunk.charAt(i + 1), chunk[i + 2])
    ) {
      const word = /^[^\s[\]\\.,;:!?]+/.exec(chunk.slice(i + 1))?.[0] ?? '';
      (ch === '*' ? unknownWords : errorWords).push(word);
      i += 1;
    } else {
      text += ch;
      i += 1;
    }
  }
  return { id, text: text.replace(/[ ]{2,}/g, ' ').trim(), unknownWords, errorWords };
}

function isWordStart(next: string, afterNext: string | undefined): boolean {
  if (next === '\\') return afterNext !== undefined && /[\p{L}\p{N}]/u.test(afterNext);
  return /[\p{L}\p{N}]/u.test(next);
}

function findBlankEnd(chunk: string, from: number): number {
  for (let j = from; j < chunk.length; j++) {
    if (chunk[j] === '\\') j++;
    else if (chunk[j] === ']') return j;
  }
  return chunk.length;
}

function unescape(value: string): string {
  return value.replace(/\\(.)/gs, '$1');
}
