import { detectSources, rankLanguages } from './language-detection';

describe('language detection', () => {
  it.each([
    ['El gato es negro y la casa es roja.', 'es'],
    ['The cat is black and the house is red.', 'en'],
    ['El gat és negre i la casa és vermella.', 'ca'],
    ["M'agrada molt aquest llibre.", 'ca'],
    ['Me gusta mucho este libro.', 'es'],
  ])('ranks %j as %s among English, Spanish and Catalan', (text, language) => {
    const ranked = rankLanguages(text, ['en', 'es', 'ca']);
    expect(ranked[0].language).toBe(language);
    expect(ranked.map((d) => d.language).sort()).toEqual(['ca', 'en', 'es']);
    const total = ranked.reduce((sum, d) => sum + d.confidence, 0);
    expect(total).toBeGreaterThan(99.5);
    expect(total).toBeLessThan(100.5);
  });

  it('only ever answers a candidate', () => {
    expect(rankLanguages('Le chat est noir et la maison est rouge.', ['en', 'es'])).toEqual([
      expect.objectContaining({ language: expect.stringMatching(/^(en|es)$/) }),
      expect.objectContaining({ language: expect.stringMatching(/^(en|es)$/) }),
    ]);
    expect(rankLanguages('The cat is black.', ['en'])).toEqual([
      { language: 'en', confidence: 100 },
    ]);
  });

  it('says nothing without candidates or without letters', () => {
    expect(rankLanguages('The cat is black.', [])).toEqual([]);
    expect(rankLanguages('zz', ['zz'])).toEqual([]);
    expect(rankLanguages('1234 !!', ['en', 'es'])).toEqual([]);
  });

  it('gives short texts the language of the whole request', () => {
    const detected = detectSources(
      ['Hola', 'El gato es negro y la casa es roja.', 'Buenos días a todos.'],
      ['en', 'es'],
    );
    expect(detected.map((d) => d.language)).toEqual(['es', 'es', 'es']);
    // The short text shares the whole request's detection, confidence included.
    expect(detected[0]).toEqual(
      rankLanguages('Hola\nEl gato es negro y la casa es roja.\nBuenos días a todos.', [
        'en',
        'es',
      ])[0],
    );
  });

  it('falls back to the first candidate with confidence 0 when nothing can be said', () => {
    expect(detectSources(['1234'], ['es', 'en'])).toEqual([{ language: 'es', confidence: 0 }]);
    expect(detectSources(['anything'], [])).toEqual([]);
  });

  it('with one candidate, every text is in it', () => {
    expect(detectSources(['Bonjour', 'Guten Tag, wie geht es Ihnen heute?'], ['en'])).toEqual([
      { language: 'en', confidence: 100 },
      { language: 'en', confidence: 100 },
    ]);
  });
});
