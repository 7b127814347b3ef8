import {
  BadTranslateRequest,
  languageList,
  parseDetectRequest,
  parseTranslateRequest,
} from './translate-request';

describe('LibreTranslate request parsing', () => {
  it('accepts a string or a list of strings and normalises languages', () => {
    expect(parseTranslateRequest({ q: 'Hi', source: 'EN', target: 'es-MX' }, 100)).toEqual({
      texts: ['Hi'],
      batch: false,
      source: 'en',
      target: 'es',
      format: 'text',
      alternatives: 0,
    });
    expect(
      parseTranslateRequest({ q: ['a', 'b'], source: 'en', target: 'ca', format: 'text' }, 100),
    ).toMatchObject({ texts: ['a', 'b'], batch: true });
  });

  it.each([
    [{}, 'Invalid request: missing q parameter'],
    [{ q: '', source: 'en', target: 'es' }, 'Invalid request: missing q parameter'],
    [{ q: 'x', target: 'es' }, 'Invalid request: missing source parameter'],
    [{ q: 'x', source: 'en' }, 'Invalid request: missing target parameter'],
    [{ q: [], source: 'en', target: 'es' }, 'q must be a string or a list of strings'],
    [
      { q: 'x', source: 'en', target: 'es', format: 'markdown' },
      'markdown format is not supported',
    ],
    [
      { q: 'x', source: 'en', target: 'es', alternatives: -1 },
      'alternatives must be a non-negative',
    ],
    [
      { q: 'x', source: 'en', target: 'es', alternatives: '2.5' },
      'alternatives must be a non-negative',
    ],
    [{ q: 'x', source: 'auto' }, 'Invalid request: missing target parameter'],
    [{ q: 'x', source: 'zz', target: 'es' }, 'zz is not supported'],
    [{ q: 'x', source: 'en', target: 'zz' }, 'zz is not supported'],
    [{ q: ['12345', '678'], source: 'en', target: 'es' }, 'request (8) exceeds text limit (7)'],
  ])('rejects %j', (body, message) => {
    expect(() => parseTranslateRequest(body, 7)).toThrow(BadTranslateRequest);
    expect(() => parseTranslateRequest(body, 7)).toThrow(message);
  });

  it('accepts source auto, format html and alternatives as JSON or form values', () => {
    expect(
      parseTranslateRequest(
        { q: '<p>Hi</p>', source: 'Auto', target: 'es', format: 'html', alternatives: 3 },
        100,
      ),
    ).toMatchObject({ source: 'auto', format: 'html', alternatives: 3 });
    expect(
      parseTranslateRequest({ q: 'Hi', source: 'en', target: 'es', alternatives: '2' }, 100),
    ).toMatchObject({ alternatives: 2 });
    expect(
      parseTranslateRequest({ q: 'Hi', source: 'en', target: 'es', alternatives: '' }, 100),
    ).toMatchObject({ alternatives: 0 });
  });

  it('reads a /detect body: one text, or a list detected together', () => {
    expect(parseDetectRequest({ q: 'Hola' }, 10)).toBe('Hola');
    expect(parseDetectRequest({ q: ['Hola', 'amigo'], api_key: 'k' }, 10)).toBe('Hola\namigo');
    expect(() => parseDetectRequest({}, 10)).toThrow('Invalid request: missing q parameter');
    expect(() => parseDetectRequest({ q: 5 }, 10)).toThrow('q must be a string');
    expect(() => parseDetectRequest({ q: 'x'.repeat(11) }, 10)).toThrow(
      'request (11) exceeds text limit (10)',
    );
  });

  it('rejects a body that is not an object', () => {
    expect(() => parseTranslateRequest('q=x', 10)).toThrow('missing q parameter');
  });

  it('lists languages as LibreTranslate does, sorted, with sorted targets', () => {
    expect(
      languageList([
        { source: 'en', target: 'es' },
        { source: 'es', target: 'en' },
        { source: 'en', target: 'ca' },
      ]),
    ).toEqual([
      { code: 'en', name: 'English', targets: ['ca', 'es'] },
      { code: 'es', name: 'Spanish', targets: ['en'] },
    ]);
  });
});
