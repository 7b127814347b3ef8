import { cleanOutput, joinSentences, normalizeInput, splitSentences } from './seq2seq-text';
import { maxNewTokens, nllbInputs } from './nllb.engine';
import { opusInputs, parseOpusModelName } from './opus-mt.engine';

describe('neural pre- and post-processing', () => {
  it('normalises whitespace and drops control characters', () => {
    expect(normalizeInput('  Hello\u0007   world\n\tagain ')).toBe('Hello world again');
  });

  it('splits sentences after end punctuation and after CJK full stops', () => {
    expect(splitSentences('Hello there. How are you? Fine!  Thanks')).toEqual([
      'Hello there.',
      'How are you?',
      'Fine!',
      'Thanks',
    ]);
    expect(splitSentences('你好。今天好吗？')).toEqual(['你好。', '今天好吗？']);
    expect(splitSentences('   ')).toEqual([]);
    expect(splitSentences('Version 1.5 is out.')).toEqual(['Version 1.5 is out.']);
  });

  it('cuts over-long sentences at commas, then spaces, never over the limit', () => {
    const long = 'alpha beta, gamma delta, epsilon zeta eta theta iota kappa lambda mu';
    const parts = splitSentences(long, 30);
    expect(parts.every((part) => part.length <= 30)).toBe(true);
    expect(parts.join(' ')).toBe(long);
    expect(parts[0]).toBe('alpha beta, gamma delta,');
    const noSpaces = 'x'.repeat(70);
    expect(splitSentences(noSpaces, 30).join('')).toBe(noSpaces);
  });

  it('cleans special and language tokens a decoder may leave', () => {
    expect(cleanOutput('spa_Latn Hola mundo </s><pad>')).toBe('Hola mundo');
    expect(cleanOutput('>>es<< Hola , mundo .')).toBe('Hola, mundo.');
    expect(cleanOutput('\u2581Hola\u2581mundo')).toBe('Hola mundo');
    expect(cleanOutput('use snake_case here')).toBe('use snake_case here');
  });

  it('joins sentences with spaces, or without for scripts written without them', () => {
    expect(joinSentences(['Hola.', ' ¿Qué tal? ', ''], 'spa_Latn')).toBe('Hola. ¿Qué tal?');
    expect(joinSentences(['你好。', '今天好吗？'], 'zho_Hans')).toBe('你好。今天好吗？');
  });

  it('builds NLLB inputs with FLORES codes for both sides', () => {
    expect(nllbInputs('Hello there. Bye.', 'en', 'ca')).toEqual({
      sentences: ['Hello there.', 'Bye.'],
      srcLang: 'eng_Latn',
      tgtLang: 'cat_Latn',
    });
    expect(() => nllbInputs('x', 'en', 'xx')).toThrow('no FLORES code');
  });

  it('leaves room for the output without running away', () => {
    expect(maxNewTokens(['short'])).toBe(32);
    expect(maxNewTokens(['x'.repeat(200)])).toBe(100);
    expect(maxNewTokens(['x'.repeat(5000)])).toBe(512);
  });

  it('parses opus-mt model names into the pairs they serve', () => {
    expect(parseOpusModelName('opus-mt-en-de')).toEqual({
      name: 'opus-mt-en-de',
      source: 'en',
      targets: ['de'],
      needsTargetToken: false,
    });
    const romance = parseOpusModelName('opus-mt-en-ROMANCE');
    expect(romance?.needsTargetToken).toBe(true);
    expect(romance?.targets).toEqual(expect.arrayContaining(['es', 'fr', 'it', 'pt', 'ca']));
    expect(parseOpusModelName('opus-mt-en-xx')).toBeUndefined();
    expect(parseOpusModelName('nllb-200-distilled-600M')).toBeUndefined();
  });

  it('prefixes the target token only for multi-target opus-mt models', () => {
    const direct = parseOpusModelName('opus-mt-en-de')!;
    const romance = parseOpusModelName('opus-mt-en-ROMANCE')!;
    expect(opusInputs('Hi. Bye.', direct, 'de')).toEqual(['Hi.', 'Bye.']);
    expect(opusInputs('Hi. Bye.', romance, 'es')).toEqual(['>>es<< Hi.', '>>es<< Bye.']);
  });
});
