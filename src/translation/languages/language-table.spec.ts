import {
  allLanguages,
  fromApertiumCode,
  fromFloresCode,
  languageName,
  normalizeLanguage,
  toFloresCode,
  toOpusCode,
} from './language-table';

describe('language table', () => {
  it.each([
    ['en', 'en'],
    ['EN', 'en'],
    ['en-US', 'en'],
    ['pt_BR', 'pt'],
    [' es ', 'es'],
    ['no', 'nb'],
    ['iw', 'he'],
  ])('normalises %j to %j', (input, expected) => {
    expect(normalizeLanguage(input)).toBe(expected);
  });

  it.each(['xx', '', 'english', 'auto'])('does not know %j', (input) => {
    expect(normalizeLanguage(input)).toBeUndefined();
  });

  it('maps Apertium three-letter and legacy two-letter codes to ISO 639-1', () => {
    expect(fromApertiumCode('eng')).toBe('en');
    expect(fromApertiumCode('spa')).toBe('es');
    expect(fromApertiumCode('cat')).toBe('ca');
    expect(fromApertiumCode('es')).toBe('es');
    expect(fromApertiumCode('zlm')).toBe('ms');
    expect(fromApertiumCode('cat_valencia')).toBeUndefined();
  });

  it('maps ISO 639-1 to NLLB FLORES-200 codes and back', () => {
    expect(toFloresCode('en')).toBe('eng_Latn');
    expect(toFloresCode('es-MX')).toBe('spa_Latn');
    expect(toFloresCode('zh')).toBe('zho_Hans');
    expect(toFloresCode('ar')).toBe('arb_Arab');
    expect(toFloresCode('xx')).toBeUndefined();
    expect(fromFloresCode('cat_Latn')).toBe('ca');
  });

  it('has one entry per code, well-formed codes everywhere, and distinct FLORES codes', () => {
    const languages = allLanguages();
    const codes = languages.map((l) => l.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(languages.map((l) => l.flores)).size).toBe(languages.length);
    for (const language of languages) {
      expect(language.code).toMatch(/^[a-z]{2,3}$/);
      expect(language.flores).toMatch(/^[a-z]{3}_[A-Z][a-z]{3}$/);
      expect(language.apertium.length).toBeGreaterThan(0);
      expect(toOpusCode(language.code)).toBe(language.opus);
    }
  });

  it('names languages for GET /languages', () => {
    expect(languageName('ca')).toBe('Catalan');
    expect(languageName('qq')).toBe('qq');
  });
});
