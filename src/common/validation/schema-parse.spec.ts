import { firstIssue, parseWith, z } from './schema-parse';

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
});
