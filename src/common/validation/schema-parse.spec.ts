import {
  firstIssue,
  jsonText,
  numberOrNumericText,
  parseWith,
  withMessage,
  z,
} from './schema-parse';

describe('schema-parse', () => {
  const schema = z.object({
    name: z.string({ error: 'must be a string' }),
    items: z.array(z.number({ error: 'must be a number' })),
  });

  it('returns the parsed value', () => {
    expect(parseWith(schema, { name: 'a', items: [1] })).toEqual({
      ok: true,
      value: { name: 'a', items: [1] },
    });
  });

  it('names the field of the first problem with the schema message', () => {
    expect(parseWith(schema, { name: 'a', items: [1, 'x'] })).toEqual({
      ok: false,
      message: 'items[1]: must be a number',
    });
  });

  it('has no path for a problem with the value itself', () => {
    const result = z.string({ error: 'must be text' }).safeParse(3);
    expect(result.success ? '' : firstIssue(result.error)).toBe('must be text');
  });

  it('jsonText parses JSON text or refuses it with the given message', () => {
    const json = jsonText('must be JSON');
    expect(parseWith(json, '{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseWith(json, '{nope')).toEqual({ ok: false, message: 'must be JSON' });
    expect(parseWith(json, 5)).toEqual({ ok: false, message: 'must be JSON' });
  });

  it('withMessage makes one message from the value as it was sent', () => {
    const rate = withMessage(
      numberOrNumericText.pipe(z.number().int().min(8000)),
      (value) => `rate ${JSON.stringify(value)} is not supported`,
    );
    expect(parseWith(rate, '16000')).toEqual({ ok: true, value: 16000 });
    expect(parseWith(rate, 'abc')).toEqual({ ok: false, message: 'rate "abc" is not supported' });
    expect(parseWith(z.object({ rate }), { rate: 1 })).toEqual({
      ok: false,
      message: 'rate: rate 1 is not supported',
    });
  });

  it('numberOrNumericText takes numbers and their text, not empty text or other types', () => {
    for (const [input, value] of [
      [7, 7],
      [' 7 ', 7],
      ['1.5', 1.5],
    ] as const) {
      expect(parseWith(numberOrNumericText, input)).toEqual({ ok: true, value });
    }
    for (const input of ['', ' ', 'abc', 'Infinity', true, [], null]) {
      expect(parseWith(numberOrNumericText, input).ok).toBe(false);
    }
  });
});
