import { judgeTurn, type TurnJudgement } from './turn-completeness';
import { TURN_WORDS } from './turn-words';

const judge = (text: string, language: string | undefined = 'en', confidence?: number) =>
  judgeTurn({ text, language, confidence });

const done: TurnJudgement = { verdict: 'complete', reason: 'terminal-punctuation' };

describe('judgeTurn per language', () => {
  it.each<[string, string, TurnJudgement]>([
    ['en', "I'd like to book a table for four people.", done],
    [
      'en',
      "I'd like to book a table for.",
      { verdict: 'incomplete', reason: 'continuation-word', word: 'for' },
    ],
    ['en', 'Coffee, tea and.', { verdict: 'incomplete', reason: 'continuation-word', word: 'and' }],
    ['en', 'I was going to, um.', { verdict: 'incomplete', reason: 'filler', word: 'um' }],
    ['en', 'It was, like.', { verdict: 'incomplete', reason: 'filler', word: 'like' }],
    ['en', 'What is it for?', done],
    ['en', 'What does it look like?', done],
    ['en', 'I think so.', done],
    ['en', 'So.', { verdict: 'incomplete', reason: 'continuation-word', word: 'so' }],
    [
      'en',
      'I told him that.',
      { verdict: 'incomplete', reason: 'continuation-word', word: 'that' },
    ],
    ['en', 'I like that.', done],
    ['es', 'Quiero reservar una mesa para cuatro personas.', done],
    [
      'es',
      'Quiero reservar una mesa para.',
      { verdict: 'incomplete', reason: 'continuation-word', word: 'para' },
    ],
    [
      'es',
      'No vino porque.',
      { verdict: 'incomplete', reason: 'continuation-word', word: 'porque' },
    ],
    ['es', 'Bueno, pues.', { verdict: 'incomplete', reason: 'filler', word: 'pues' }],
    ['es', '¿Vienes mañana?', done],
    ['es', '¡Qué bien!', done],
    ['ca', 'Vull reservar una taula per a quatre persones.', done],
    [
      'ca',
      'Vull reservar una taula però.',
      { verdict: 'incomplete', reason: 'continuation-word', word: 'però' },
    ],
    ['ca', 'Doncs.', { verdict: 'incomplete', reason: 'filler', word: 'doncs' }],
    ['fr', 'Je voudrais réserver une table pour quatre.', done],
    [
      'fr',
      'Je voudrais réserver une table pour.',
      { verdict: 'incomplete', reason: 'continuation-word', word: 'pour' },
    ],
    [
      'fr',
      "C'est à côté de l'.",
      { verdict: 'incomplete', reason: 'continuation-word', word: 'l' },
    ],
    ['fr', 'Alors, euh.', { verdict: 'incomplete', reason: 'filler', word: 'euh' }],
    ['fr', 'Tu viens demain ?', done],
    ['de', 'Ich möchte einen Tisch für vier Personen reservieren.', done],
    [
      'de',
      'Ich möchte einen Tisch für.',
      { verdict: 'incomplete', reason: 'continuation-word', word: 'für' },
    ],
    ['de', 'Ich rufe dich morgen an.', done],
    ['de', 'Also, ähm.', { verdict: 'incomplete', reason: 'filler', word: 'ähm' }],
    ['it', 'Vorrei prenotare un tavolo per quattro persone.', done],
    [
      'it',
      'Vorrei prenotare un tavolo per.',
      { verdict: 'incomplete', reason: 'continuation-word', word: 'per' },
    ],
    [
      'it',
      'Non sono venuto perché.',
      { verdict: 'incomplete', reason: 'continuation-word', word: 'perché' },
    ],
    ['it', 'Perché?', done],
    ['it', 'Allora, cioè.', { verdict: 'incomplete', reason: 'filler', word: 'cioè' }],
    ['pt', 'Eu queria reservar uma mesa para quatro pessoas.', done],
    [
      'pt',
      'Eu queria reservar uma mesa para.',
      { verdict: 'incomplete', reason: 'continuation-word', word: 'para' },
    ],
    ['pt', 'Então, hum.', { verdict: 'incomplete', reason: 'filler', word: 'hum' }],
  ])('%s: %j', (language, text, expected) => {
    expect(judge(text, language)).toEqual(expected);
  });

  it('has a row for every language the brief names, each with continuations and fillers', () => {
    for (const language of ['en', 'es', 'ca', 'fr', 'de', 'it', 'pt']) {
      expect(TURN_WORDS[language].continuations.length).toBeGreaterThan(10);
      expect(TURN_WORDS[language].fillers.length).toBeGreaterThan(0);
    }
  });

  it('stores every word as turnWord leaves it (lower case, NFC, no edge punctuation)', () => {
    for (const row of Object.values(TURN_WORDS)) {
      for (const word of [...row.continuations, ...row.fillers, ...row.questionEndings]) {
        expect(word).toBe(word.normalize('NFC').toLowerCase());
        expect(word).toMatch(/^'?[\p{L}\p{N}][\p{L}\p{N}']*$/u);
      }
    }
  });

  it('reads a regional tag as its language', () => {
    expect(judge('Bring milk and.', 'en-GB').verdict).toBe('incomplete');
    expect(judge('Leche y.', 'ES_es').verdict).toBe('incomplete');
  });
});

describe('judgeTurn without a table: punctuation only', () => {
  it.each<[string | undefined, string, TurnJudgement['verdict']]>([
    [undefined, 'Bring milk and.', 'complete'],
    ['nl', 'Ik wil een tafel voor.', 'complete'],
    ['nl', 'Ik wil een tafel voor', 'incomplete'],
    ['zh', '我想订一张桌子。', 'complete'],
    ['zh', '你明天来吗？', 'complete'],
    ['ja', '明日は！', 'complete'],
    ['zh', '我想订一张桌子，', 'incomplete'],
    ['ar', 'هل ستأتي غدا؟', 'complete'],
    ['hi', 'मैं कल आऊँगा।', 'complete'],
  ])('%s: %j is %s', (language, text, verdict) => {
    expect(judgeTurn({ text, language }).verdict).toBe(verdict);
  });
});

describe('judgeTurn edge cases', () => {
  it('empty text, blanks and punctuation alone are empty', () => {
    for (const text of ['', '   ', '.', '?!', ' "…" ']) {
      expect(judge(text)).toEqual({ verdict: 'incomplete', reason: 'empty' });
    }
  });

  it('no terminal mark: comma, colon, dash or nothing', () => {
    for (const text of ['Coffee, tea', 'Coffee,', 'The list:', 'Well —', 'Mi nombre es']) {
      expect(judge(text)).toEqual({ verdict: 'incomplete', reason: 'no-terminal-punctuation' });
    }
  });

  it('an ellipsis trails off: not complete, whatever word precedes it', () => {
    for (const text of [
      'A table for...',
      'I think so...',
      'Well…',
      '¿Y luego...',
      '我想…',
      '好。。',
    ]) {
      expect(judge(text)).toEqual({ verdict: 'incomplete', reason: 'ellipsis' });
    }
  });

  it('looks through closing quotes and brackets after the mark', () => {
    expect(judge('He said "stop."')).toEqual(done);
    expect(judge('(Really?)')).toEqual(done);
    expect(judge("She asked, 'why?' ")).toEqual(done);
    expect(judge('Il a dit « oui. »', 'fr')).toEqual(done);
    expect(judge('「はい。」', 'ja')).toEqual(done);
    expect(judge('He said "milk and."').reason).toBe('continuation-word');
    expect(judge('He said "stop"').reason).toBe('no-terminal-punctuation');
  });

  it('Spanish: the closing ? or ! ends the turn; an opening ¿ or ¡ left open does not', () => {
    expect(judge('¿Vienes? ¿Y', 'es').reason).toBe('no-terminal-punctuation');
    expect(judge('¡Hola! ¿Qué tal', 'es').reason).toBe('no-terminal-punctuation');
    expect(judge('¿Y tú?', 'es')).toEqual(done);
  });

  it('numbers: "3." ends a sentence, except where the dot makes an ordinal (German)', () => {
    expect(judge("I'll take 3.")).toEqual(done);
    expect(judge('Quiero 3.', 'es')).toEqual(done);
    expect(judge('Wir kommen am 3.', 'de')).toEqual({
      verdict: 'incomplete',
      reason: 'ordinal-number',
      word: '3.',
    });
    expect(judge('Es kostet 3,50.', 'de')).toEqual(done);
    expect(judge('It costs 3.50.')).toEqual(done);
  });

  it('abbreviations: titles and e.g. announce more; etc. ends a sentence', () => {
    expect(judge('I spoke to Mr.')).toEqual({
      verdict: 'incomplete',
      reason: 'leading-abbreviation',
      word: 'Mr.',
    });
    expect(judge('Fruit, e.g.').reason).toBe('leading-abbreviation');
    expect(judge('Obst, z.B.', 'de').reason).toBe('leading-abbreviation');
    expect(judge('Hablé con la Sra.', 'es').reason).toBe('leading-abbreviation');
    expect(judge('Apples, pears, etc.')).toEqual(done);
    expect(judge('Manzanas, peras, etc.', 'es')).toEqual(done);
  });

  it('casing does not matter', () => {
    expect(judge('COFFEE AND.').reason).toBe('continuation-word');
    expect(judge('Coffee And.').reason).toBe('continuation-word');
    expect(judge('Kaffee UND.', 'de').reason).toBe('continuation-word');
  });

  it('accents matter, and decomposed text reads as composed', () => {
    expect(judge('Dime que.', 'es').reason).toBe('continuation-word');
    expect(judge('¿Sabes qué?', 'es')).toEqual(done);
    expect(judge('Ho pensato, però.', 'it').reason).toBe('continuation-word');
    expect(judge('Il est très.'.normalize('NFD'), 'fr')).toEqual({
      verdict: 'incomplete',
      reason: 'continuation-word',
      word: 'très',
    });
    expect(judge('Ein Tisch für.'.normalize('NFD'), 'de')).toMatchObject({ word: 'für' });
  });

  it('a curly apostrophe reads as a straight one', () => {
    expect(judge('C’est à côté de l’.', 'fr')).toMatchObject({ word: 'l' });
  });

  it('confidence: below the threshold is not complete; absent is not checked', () => {
    expect(judge('Book a table.', 'en', 0.3)).toEqual({
      verdict: 'incomplete',
      reason: 'low-confidence',
    });
    expect(judge('Book a table.', 'en', 0.5)).toEqual(done);
    expect(judge('Book a table.', 'en', undefined)).toEqual(done);
    expect(
      judgeTurn({ text: 'Book a table.', language: 'en', confidence: 0.7 }, { minConfidence: 0.8 })
        .reason,
    ).toBe('low-confidence');
  });

  it('the text is judged before the confidence', () => {
    expect(judge('Book a table for.', 'en', 0.1).reason).toBe('continuation-word');
  });
});
