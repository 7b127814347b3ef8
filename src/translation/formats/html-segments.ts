import { decodeHTML } from 'entities';

/** What a LibreTranslate-style request's `q` is: plain text, or HTML whose markup is kept. */
export type TextFormat = 'text' | 'html';

/**
 * A piece of an HTML fragment: `text` is prose to translate (entities already decoded), `markup`
 * is kept byte for byte (tags with their attributes, comments, the content of script, style and
 * code, and entities such as `&amp;` or `&nbsp;`).
 */
export type HtmlSegment = { kind: 'text'; value: string } | { kind: 'markup'; value: string };

/**
 * No part of a tag may contain an unquoted `<`: a tag that never closes then fails at the next
 * `<` instead of at the end of the text, so `<a <a <a ...` costs linear time, not quadratic.
 */
const ATTRIBUTE = String.raw`\s+[^\s/<>"'=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>]+))?`;
const TOKEN = new RegExp(
  [
    '<!--[\\s\\S]*?(?:-->|$)',
    '<![^<>]*>',
    '<\\?[^<>]*>',
    `</?[a-zA-Z][^\\s/<>]*(?:${ATTRIBUTE})*\\s*/?>`,
    '&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);',
  ].join('|'),
  'g',
);
/** Elements whose content is not prose. */
const RAW_TEXT = /^<(script|style|code)\b/i;
/** Characters an entity keeps standing for: written raw, they would change the markup or spacing. */
const MARKUP_CHARACTERS = /[&<>"\s]/;

/**
 * Splits an HTML fragment into prose and markup. The markup segments, concatenated with the
 * untranslated text in order, give back the input. An entity for a letter or a punctuation mark
 * (`&eacute;`, `&#39;`) becomes that character, so that it joins the word around it; `&amp;`,
 * `&lt;`, `&gt;`, `&quot;` and spaces such as `&nbsp;` stay markup.
 */
export function htmlSegments(html: string): HtmlSegment[] {
  const segments: HtmlSegment[] = [];
  const push = (kind: HtmlSegment['kind'], value: string): void => {
    if (value === '') return;
    const last = segments[segments.length - 1];
    if (last?.kind === kind) last.value += value;
    else segments.push({ kind, value });
  };
  let at = 0;
  TOKEN.lastIndex = 0;
  for (let match = TOKEN.exec(html); match; match = TOKEN.exec(html)) {
    push('text', html.slice(at, match.index));
    const token = match[0];
    at = match.index + token.length;
    if (token.startsWith('&')) {
      const decoded = decodeHTML(token);
      if (decoded !== token && !MARKUP_CHARACTERS.test(decoded)) push('text', decoded);
      else push('markup', token);
      continue;
    }
    push('markup', token);
    const raw = RAW_TEXT.exec(token);
    if (raw && !token.endsWith('/>')) {
      const close = new RegExp(`</${raw[1]}\\s*>`, 'i');
      const rest = html.slice(at);
      const end = close.exec(rest);
      const stop = end ? at + end.index + end[0].length : html.length;
      push('markup', html.slice(at, stop));
      at = stop;
      TOKEN.lastIndex = stop;
    }
  }
  push('text', html.slice(at));
  return segments;
}

/** Engine calls one HTML text has running at once: an item never takes the whole engine. */
export const HTML_SEGMENTS_AT_ONCE = 2;

/**
 * HTML for an engine that only reads plain text: each prose segment is translated on its own
 * (a sentence split by inline tags is translated in parts), HTML_SEGMENTS_AT_ONCE at a time, the
 * markup is kept as it was, and translated text is escaped so it cannot turn into markup.
 */
export async function translateHtmlSegments(
  html: string,
  translate: (text: string) => Promise<string>,
): Promise<string> {
  const segments = htmlSegments(html);
  const parts = segments.map((segment) => segment.value);
  // One iterator shared by the workers: each takes the next segment nobody has taken yet.
  const queue = segments.entries();
  const worker = async (): Promise<void> => {
    for (const [at, segment] of queue) {
      if (segment.kind === 'markup') continue;
      const core = segment.value.trim();
      if (core === '') continue;
      const lead = segment.value.slice(0, segment.value.indexOf(core));
      const trail = segment.value.slice(lead.length + core.length);
      parts[at] = `${lead}${escapeHtmlText(await translate(core))}${trail}`;
    }
  };
  await Promise.all(Array.from({ length: HTML_SEGMENTS_AT_ONCE }, worker));
  return parts.join('');
}

export function escapeHtmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
