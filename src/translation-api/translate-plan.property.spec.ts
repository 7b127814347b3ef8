import fc from 'fast-check';
import { BadTranslateRequest, planTranslation } from './translate-request';

const MAX_ITEMS = 128;
const MAX_CHARS = 5000;

/** Bodies shaped like LibreTranslate requests, with lists around and far beyond the cap. */
const texts = fc.oneof(
  fc.constant(''),
  fc.constant('   '),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('hello', 'good morning'),
);
const shaped = fc.record(
  {
    q: fc.oneof(
      texts,
      fc.array(texts, { maxLength: 400 }),
      fc.array(fc.constant(''), { minLength: 100, maxLength: 5000 }),
      fc.anything(),
    ),
    source: fc.constantFrom('en', 'es', 'EN', 'auto', 'zz', '', 3),
    target: fc.constantFrom('es', 'en', 'ca', 'zz', null),
    format: fc.constantFrom('text', 'html', undefined),
    api_key: fc.option(fc.string(), { nil: undefined }),
    alternatives: fc.oneof(fc.constant(undefined), fc.integer({ min: -2, max: 5 }), fc.string()),
  },
  { requiredKeys: [] },
);

describe('POST /translate planning (property)', () => {
  it('never plans more jobs than the item cap, whatever the body; bad bodies are 400s', () => {
    fc.assert(
      fc.property(fc.oneof(shaped, fc.anything()), (body) => {
        let jobs: number;
        try {
          jobs = planTranslation(body, MAX_CHARS, MAX_ITEMS).jobs.length;
        } catch (error) {
          // The only way to refuse is a client error with a message (answered 400).
          expect(error).toBeInstanceOf(BadTranslateRequest);
          expect((error as Error).message.length).toBeGreaterThan(0);
          return;
        }
        expect(jobs).toBeLessThanOrEqual(MAX_ITEMS);
      }),
      { numRuns: 2000 },
    );
  });

  it('blank texts cost no job, and jobs keep the index of their text', () => {
    fc.assert(
      fc.property(fc.array(texts, { minLength: 1, maxLength: MAX_ITEMS }), (q) => {
        const plan = planTranslation({ q, source: 'en', target: 'es' }, 1e9, MAX_ITEMS);
        expect(plan.jobs.map((job) => job.index)).toEqual(
          q.flatMap((text, index) => (text.trim() === '' ? [] : [index])),
        );
        for (const job of plan.jobs) expect(job.text).toBe(q[job.index]);
      }),
    );
  });

  it('refuses one item over the cap with a clear message', () => {
    const q = Array.from({ length: MAX_ITEMS + 1 }, () => '');
    expect(() => planTranslation({ q, source: 'en', target: 'es' }, MAX_CHARS, MAX_ITEMS)).toThrow(
      `Invalid request: ${MAX_ITEMS + 1} texts exceed the limit of ${MAX_ITEMS} per request`,
    );
  });
});
