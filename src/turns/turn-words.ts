/**
 * The one table of words that say a turn is not over yet, per language (ISO 639-1). Words are
 * stored as `turnWord` leaves them: lower case, NFC, no edge punctuation (French `l'` is `l`).
 * Accents are significant: Spanish `que` goes on, `qué` does not.
 *
 * A word belongs in `continuations` only when a sentence almost never ends on it; when in
 * doubt it is left out, because a word wrongly listed costs a late final (the wait runs to the
 * maximum silence) while a missing one can cut a sentence in two only if the speaker also
 * pauses there. That is why German prepositions that double as separable particles (`an`,
 * `auf`, `mit`, `zu`, `nach`) and pronouns that end sentences (`her`, `this`, `das`) are absent.
 */
export interface TurnWords {
  /** Conjunctions, articles, prepositions, possessives: more words must follow. */
  readonly continuations: readonly string[];
  /** Hesitations: the speaker is still thinking. */
  readonly fillers: readonly string[];
  /** Continuation words that do end a question (`What is it for?`, `Perché?`). */
  readonly questionEndings: readonly string[];
  /** Last two words that end a sentence although the last one is a continuation (`think so`). */
  readonly endings: readonly string[];
  /** Abbreviations that announce a name or an example (`Mr.`, `z.B.`), without their dots. */
  readonly leadingAbbreviations: readonly string[];
  /** A number with a dot is an ordinal here (German `am 3.`), not the end of a sentence. */
  readonly ordinalDot: boolean;
}

// One row per line group reads as a table; prettier would put every word on a line of its own.
// prettier-ignore
export const TURN_WORDS: Readonly<Record<string, TurnWords>> = {
  en: {
    continuations: [
      'and', 'or', 'nor', 'but', 'because', "'cause", 'cuz', 'so', 'if', 'unless', 'although',
      'whether', 'while', 'whereas', 'than', 'as', 'that', 'which', 'whose',
      'the', 'a', 'an', 'every', 'my', 'your', 'our', 'their', 'its', 'very',
      'for', 'to', 'of', 'with', 'from', 'in', 'on', 'at', 'by', 'about', 'into', 'onto', 'via',
    ],
    fillers: ['um', 'uh', 'uhm', 'umm', 'er', 'erm', 'hmm', 'mm', 'like'],
    questionEndings: [
      'for', 'to', 'of', 'with', 'from', 'in', 'on', 'at', 'by', 'about', 'into', 'like',
      'that', 'which', 'if', 'so',
    ],
    endings: [
      'think so', 'hope so', 'guess so', 'believe so', 'said so', 'do so', 'or so', 'like that',
      'about that', 'of that', 'with that', 'for that', 'like this',
    ],
    leadingAbbreviations: ['mr', 'mrs', 'ms', 'dr', 'prof', 'vs', 'eg', 'ie'],
    ordinalDot: false,
  },
  es: {
    continuations: [
      'y', 'e', 'o', 'u', 'ni', 'pero', 'sino', 'porque', 'que', 'si', 'aunque', 'como', 'cuando',
      'donde', 'mientras', 'cual',
      'el', 'la', 'los', 'las', 'un', 'una', 'unos', 'unas', 'mi', 'mis', 'tu', 'tus', 'su', 'sus',
      'muy',
      'para', 'por', 'de', 'del', 'con', 'sin', 'en', 'a', 'al', 'hasta', 'desde', 'entre',
      'sobre', 'hacia',
    ],
    fillers: ['eh', 'em', 'ehm', 'mm', 'mmm', 'este', 'pues'],
    questionEndings: [],
    endings: [],
    leadingAbbreviations: ['sr', 'sra', 'srta', 'dr', 'dra', 'd', 'dña', 'lic', 'ing'],
    ordinalDot: false,
  },
  ca: {
    continuations: [
      'i', 'o', 'ni', 'però', 'perquè', 'sinó', 'que', 'si', 'com', 'quan', 'on', 'mentre',
      'el', 'la', 'els', 'les', 'l', 'un', 'una', 'uns', 'unes', 'en', 'molt',
      'per', 'de', 'd', 'del', 'dels', 'amb', 'sense', 'a', 'al', 'als', 'fins', 'des', 'cap',
      'pel', 'pels',
    ],
    fillers: ['eh', 'em', 'ehm', 'mm', 'mmm', 'doncs'],
    questionEndings: [],
    endings: [],
    leadingAbbreviations: ['sr', 'sra', 'srta', 'dr', 'dra'],
    ordinalDot: false,
  },
  fr: {
    continuations: [
      'et', 'ou', 'ni', 'mais', 'donc', 'car', 'parce', 'que', 'qu', 'si', 'quand', 'comme',
      'lorsque', 'puisque',
      'le', 'la', 'les', 'l', 'un', 'une', 'd', 'mon', 'ma', 'mes', 'ton', 'ta', 'tes', 'son',
      'sa', 'ses', 'notre', 'votre', 'ce', 'cette', 'ces', 'très',
      'pour', 'par', 'de', 'du', 'des', 'avec', 'sans', 'dans', 'en', 'à', 'au', 'aux', 'sur',
      'sous', 'chez', 'vers', 'entre',
    ],
    fillers: ['euh', 'heu', 'hum', 'ben', 'bah'],
    questionEndings: [],
    endings: [],
    leadingAbbreviations: ['m', 'mme', 'mlle', 'dr', 'pr'],
    ordinalDot: false,
  },
  de: {
    continuations: [
      'und', 'oder', 'aber', 'sondern', 'denn', 'weil', 'dass', 'ob', 'wenn', 'falls', 'als',
      'damit', 'obwohl', 'während', 'nachdem', 'bevor',
      'der', 'den', 'dem', 'des', 'ein', 'eine', 'einen', 'einem', 'einer', 'eines', 'sehr',
      'für', 'von', 'bei', 'zum', 'zur', 'vom', 'beim', 'im', 'ins', 'in',
    ],
    fillers: ['äh', 'ähm', 'öh', 'öhm', 'hm', 'hmm', 'mhm'],
    questionEndings: [],
    endings: [],
    leadingAbbreviations: ['hr', 'hrn', 'fr', 'dr', 'prof', 'zb', 'bzw', 'dh', 'ca', 'nr'],
    ordinalDot: true,
  },
  it: {
    continuations: [
      'e', 'ed', 'o', 'ma', 'però', 'perché', 'che', 'se', 'quando', 'come', 'mentre',
      'il', 'lo', 'la', 'i', 'gli', 'le', 'l', 'un', 'uno', 'una',
      'per', 'di', 'da', 'con', 'in', 'a', 'al', 'del', 'della', 'dei', 'degli', 'delle', 'dell',
      'nel', 'nella', 'nell', 'sul', 'sulla', 'all', 'alla',
    ],
    fillers: ['ehm', 'eh', 'uhm', 'mm', 'mmm', 'cioè'],
    questionEndings: ['perché', 'come'],
    endings: [],
    leadingAbbreviations: ['sig', 'sigra', 'dott', 'dottssa', 'prof', 'avv', 'ing'],
    ordinalDot: false,
  },
  pt: {
    continuations: [
      'e', 'ou', 'nem', 'mas', 'porque', 'que', 'se', 'quando', 'como', 'enquanto', 'embora',
      'o', 'a', 'os', 'as', 'um', 'uma', 'uns', 'umas',
      'para', 'pra', 'por', 'de', 'do', 'da', 'dos', 'das', 'com', 'sem', 'em', 'no', 'na',
      'nos', 'nas', 'ao', 'aos', 'pelo', 'pela',
    ],
    fillers: ['eh', 'hum', 'ahn', 'hã', 'uhm', 'mm'],
    questionEndings: [],
    endings: [],
    leadingAbbreviations: ['sr', 'sra', 'srta', 'dr', 'dra', 'prof'],
    ordinalDot: false,
  },
};

/** The language's row, from `en` or `en-US`; undefined where there is none (punctuation only). */
export function turnWordsFor(language: string | undefined): TurnWords | undefined {
  if (!language) return undefined;
  const code = (language.split(/[-_]/)[0] ?? '').toLowerCase();
  return Object.prototype.hasOwnProperty.call(TURN_WORDS, code) ? TURN_WORDS[code] : undefined;
}

/** A word as the table stores it: NFC, lower case, `’` as `'`, no punctuation at either end. */
export function turnWord(token: string): string {
  return token
    .normalize('NFC')
    .toLowerCase()
    .replace(/\u2019/g, "'")
    .replace(/^[^\p{L}\p{N}']+|[^\p{L}\p{N}]+$/gu, '');
}
