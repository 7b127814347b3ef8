import { BadTranslateRequest, languageList, parseTranslateRequest } from './translate-request';

describe('LibreTranslate request parsing', () => {
  it('accepts a string or a list of strings and normalises languages', () => {
    expect(parseTranslateRequest({ q: 'Hi', source: 'EN', target: 'es-MX' }, 100)).toEqual({
      texts: ['Hi'],
      batch: false,
      source: 'en',
      target: 'es',
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
    [{ q: 'x', source: 'en', target: 'es', format: 'html' }, 'format html is not supported'],
    [{ q: 'x', source: 'auto', target: 'es' }, 'Language detection is not supported'],
    [{ q: 'x', source: 'zz', target: 'es' }, 'zz is not supported'],
    [{ q: 'x', source: 'en', target: 'zz' }, 'zz is not supported'],
    [{ q: ['12345', '678'], source: 'en', target: 'es' }, 'request (8) exceeds text limit (7)'],
  ])('rejects %j', (body, message) => {
    expect(() => parseTranslateRequest(body, 7)).toThrow(BadTranslateRequest);
    expect(() => parseTranslateRequest(body, 7)).toThrow(message);
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
