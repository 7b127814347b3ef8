/** Languages offered in the dropdowns (ISO 639-1). Whisper detects many more with "auto". */
export const LANGUAGES: Array<[string, string]> = [
  ['en', 'English'],
  ['es', 'Spanish'],
  ['ca', 'Catalan'],
  ['fr', 'French'],
  ['de', 'German'],
  ['it', 'Italian'],
  ['pt', 'Portuguese'],
  ['nl', 'Dutch'],
  ['pl', 'Polish'],
  ['ru', 'Russian'],
  ['uk', 'Ukrainian'],
  ['tr', 'Turkish'],
  ['ar', 'Arabic'],
  ['hi', 'Hindi'],
  ['zh', 'Chinese'],
  ['ja', 'Japanese'],
  ['ko', 'Korean'],
];

export function fillLanguages(select: HTMLSelectElement, first: [string, string]): void {
  select.replaceChildren(...[first, ...LANGUAGES].map(([code, name]) => new Option(name, code)));
}
