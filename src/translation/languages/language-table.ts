/**
 * The one table of languages the service speaks: ISO 639-1 codes (what clients and whisper use)
 * mapped to each engine's codes. `apertium` lists every three-letter (ISO 639-3) or legacy
 * two-letter code Apertium pairs use for the language; `flores` is NLLB-200's FLORES-200 code;
 * `opus` is the code opus-mt (Marian) model names and target tokens use.
 */
export interface LanguageInfo {
  code: string;
  name: string;
  apertium: readonly string[];
  flores: string;
  opus: string;
}

const LANGUAGES: readonly LanguageInfo[] = [
  { code: 'af', name: 'Afrikaans', apertium: ['afr', 'af'], flores: 'afr_Latn', opus: 'af' },
  { code: 'an', name: 'Aragonese', apertium: ['arg', 'an'], flores: 'arg_Latn', opus: 'an' },
  { code: 'ar', name: 'Arabic', apertium: ['ara', 'ar'], flores: 'arb_Arab', opus: 'ar' },
  { code: 'ast', name: 'Asturian', apertium: ['ast'], flores: 'ast_Latn', opus: 'ast' },
  { code: 'be', name: 'Belarusian', apertium: ['bel', 'be'], flores: 'bel_Cyrl', opus: 'be' },
  { code: 'bg', name: 'Bulgarian', apertium: ['bul', 'bg'], flores: 'bul_Cyrl', opus: 'bg' },
  { code: 'br', name: 'Breton', apertium: ['bre', 'br'], flores: 'bre_Latn', opus: 'br' },
  { code: 'ca', name: 'Catalan', apertium: ['cat', 'ca'], flores: 'cat_Latn', opus: 'ca' },
  { code: 'cs', name: 'Czech', apertium: ['ces', 'cs'], flores: 'ces_Latn', opus: 'cs' },
  { code: 'cy', name: 'Welsh', apertium: ['cym', 'cy'], flores: 'cym_Latn', opus: 'cy' },
  { code: 'da', name: 'Danish', apertium: ['dan', 'da'], flores: 'dan_Latn', opus: 'da' },
  { code: 'de', name: 'German', apertium: ['deu', 'de'], flores: 'deu_Latn', opus: 'de' },
  { code: 'el', name: 'Greek', apertium: ['ell', 'el'], flores: 'ell_Grek', opus: 'el' },
  { code: 'en', name: 'English', apertium: ['eng', 'en'], flores: 'eng_Latn', opus: 'en' },
  { code: 'eo', name: 'Esperanto', apertium: ['epo', 'eo'], flores: 'epo_Latn', opus: 'eo' },
  { code: 'es', name: 'Spanish', apertium: ['spa', 'es'], flores: 'spa_Latn', opus: 'es' },
  { code: 'et', name: 'Estonian', apertium: ['est', 'et'], flores: 'est_Latn', opus: 'et' },
  { code: 'eu', name: 'Basque', apertium: ['eus', 'eu'], flores: 'eus_Latn', opus: 'eu' },
  { code: 'fa', name: 'Persian', apertium: ['fas', 'fa'], flores: 'pes_Arab', opus: 'fa' },
  { code: 'fi', name: 'Finnish', apertium: ['fin', 'fi'], flores: 'fin_Latn', opus: 'fi' },
  { code: 'fr', name: 'French', apertium: ['fra', 'fr'], flores: 'fra_Latn', opus: 'fr' },
  { code: 'ga', name: 'Irish', apertium: ['gle', 'ga'], flores: 'gle_Latn', opus: 'ga' },
  { code: 'gl', name: 'Galician', apertium: ['glg', 'gl'], flores: 'glg_Latn', opus: 'gl' },
  { code: 'he', name: 'Hebrew', apertium: ['heb', 'he'], flores: 'heb_Hebr', opus: 'he' },
  { code: 'hi', name: 'Hindi', apertium: ['hin', 'hi'], flores: 'hin_Deva', opus: 'hi' },
  { code: 'hr', name: 'Croatian', apertium: ['hrv', 'hr'], flores: 'hrv_Latn', opus: 'hr' },
  { code: 'hu', name: 'Hungarian', apertium: ['hun', 'hu'], flores: 'hun_Latn', opus: 'hu' },
  { code: 'id', name: 'Indonesian', apertium: ['ind', 'id'], flores: 'ind_Latn', opus: 'id' },
  { code: 'is', name: 'Icelandic', apertium: ['isl', 'is'], flores: 'isl_Latn', opus: 'is' },
  { code: 'it', name: 'Italian', apertium: ['ita', 'it'], flores: 'ita_Latn', opus: 'it' },
  { code: 'ja', name: 'Japanese', apertium: ['jpn', 'ja'], flores: 'jpn_Jpan', opus: 'ja' },
  { code: 'ko', name: 'Korean', apertium: ['kor', 'ko'], flores: 'kor_Hang', opus: 'ko' },
  { code: 'lt', name: 'Lithuanian', apertium: ['lit', 'lt'], flores: 'lit_Latn', opus: 'lt' },
  { code: 'lv', name: 'Latvian', apertium: ['lav', 'lv'], flores: 'lvs_Latn', opus: 'lv' },
  { code: 'mk', name: 'Macedonian', apertium: ['mkd', 'mk'], flores: 'mkd_Cyrl', opus: 'mk' },
  { code: 'ms', name: 'Malay', apertium: ['zlm', 'msa', 'ms'], flores: 'zsm_Latn', opus: 'ms' },
  { code: 'mt', name: 'Maltese', apertium: ['mlt', 'mt'], flores: 'mlt_Latn', opus: 'mt' },
  { code: 'nb', name: 'Norwegian Bokmål', apertium: ['nob', 'nb'], flores: 'nob_Latn', opus: 'nb' },
  { code: 'nl', name: 'Dutch', apertium: ['nld', 'nl'], flores: 'nld_Latn', opus: 'nl' },
  {
    code: 'nn',
    name: 'Norwegian Nynorsk',
    apertium: ['nno', 'nn'],
    flores: 'nno_Latn',
    opus: 'nn',
  },
  { code: 'oc', name: 'Occitan', apertium: ['oci', 'oc'], flores: 'oci_Latn', opus: 'oc' },
  { code: 'pl', name: 'Polish', apertium: ['pol', 'pl'], flores: 'pol_Latn', opus: 'pl' },
  { code: 'pt', name: 'Portuguese', apertium: ['por', 'pt'], flores: 'por_Latn', opus: 'pt' },
  { code: 'ro', name: 'Romanian', apertium: ['ron', 'ro'], flores: 'ron_Latn', opus: 'ro' },
  { code: 'ru', name: 'Russian', apertium: ['rus', 'ru'], flores: 'rus_Cyrl', opus: 'ru' },
  { code: 'sc', name: 'Sardinian', apertium: ['srd', 'sc'], flores: 'srd_Latn', opus: 'sc' },
  { code: 'sk', name: 'Slovak', apertium: ['slk', 'sk'], flores: 'slk_Latn', opus: 'sk' },
  { code: 'sl', name: 'Slovenian', apertium: ['slv', 'sl'], flores: 'slv_Latn', opus: 'sl' },
  { code: 'sq', name: 'Albanian', apertium: ['sqi', 'sq'], flores: 'als_Latn', opus: 'sq' },
  { code: 'sr', name: 'Serbian', apertium: ['srp', 'sr'], flores: 'srp_Cyrl', opus: 'sr' },
  { code: 'sv', name: 'Swedish', apertium: ['swe', 'sv'], flores: 'swe_Latn', opus: 'sv' },
  { code: 'sw', name: 'Swahili', apertium: ['swa', 'sw'], flores: 'swh_Latn', opus: 'sw' },
  { code: 'th', name: 'Thai', apertium: ['tha', 'th'], flores: 'tha_Thai', opus: 'th' },
  { code: 'tr', name: 'Turkish', apertium: ['tur', 'tr'], flores: 'tur_Latn', opus: 'tr' },
  { code: 'uk', name: 'Ukrainian', apertium: ['ukr', 'uk'], flores: 'ukr_Cyrl', opus: 'uk' },
  { code: 'ur', name: 'Urdu', apertium: ['urd', 'ur'], flores: 'urd_Arab', opus: 'ur' },
  { code: 'vi', name: 'Vietnamese', apertium: ['vie', 'vi'], flores: 'vie_Latn', opus: 'vi' },
  { code: 'zh', name: 'Chinese', apertium: ['zho', 'cmn', 'zh'], flores: 'zho_Hans', opus: 'zh' },
];

const BY_CODE = new Map(LANGUAGES.map((language) => [language.code, language]));
const BY_APERTIUM = new Map(
  LANGUAGES.flatMap((language) => language.apertium.map((code) => [code, language] as const)),
);
const BY_FLORES = new Map(LANGUAGES.map((language) => [language.flores, language]));

/** Aliases clients send that are not ISO 639-1: macro-language and legacy codes. */
const ALIASES: Readonly<Record<string, string>> = { no: 'nb', iw: 'he', in: 'id' };

/**
 * The ISO 639-1 code for what a client sent ('EN', 'en-US', 'en_GB', 'pt-BR' all give the base
 * language), or undefined when the table does not know it.
 */
export function normalizeLanguage(input: string): string | undefined {
  const [base = ''] = input.trim().toLowerCase().split(/[-_]/);
  const code = ALIASES[base] ?? base;
  return BY_CODE.has(code) ? code : undefined;
}

export function languageInfo(code: string): LanguageInfo | undefined {
  const normalized = normalizeLanguage(code);
  return normalized === undefined ? undefined : BY_CODE.get(normalized);
}

export function languageName(code: string): string {
  return languageInfo(code)?.name ?? code;
}

/** ISO 639-1 code of an Apertium language code ('eng' or legacy 'en'); variants are not mapped. */
export function fromApertiumCode(code: string): string | undefined {
  return BY_APERTIUM.get(code)?.code;
}

export function toFloresCode(code: string): string | undefined {
  return languageInfo(code)?.flores;
}

export function fromFloresCode(flores: string): string | undefined {
  return BY_FLORES.get(flores)?.code;
}

export function toOpusCode(code: string): string | undefined {
  return languageInfo(code)?.opus;
}

export function allLanguages(): readonly LanguageInfo[] {
  return LANGUAGES;
}
