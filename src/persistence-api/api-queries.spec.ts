import { parseWith } from '../common/validation/schema-parse';
import { SessionIdSchema, TranscriptQuerySchema, UsageQuerySchema } from './api-queries';

describe('archive API queries', () => {
  it('reads a transcript query, json by default', () => {
    expect(parseWith(TranscriptQuerySchema, {})).toEqual({ ok: true, value: { format: 'json' } });
    expect(parseWith(TranscriptQuerySchema, { format: 'srt', language: 'pt-BR' })).toMatchObject({
      value: { format: 'srt', language: 'pt-BR' },
    });
    expect(parseWith(SessionIdSchema, 'bad id')).toMatchObject({ ok: false });
  });

  it('reads a usage query: the last 30 days by day unless asked, at most 400 days', () => {
    const result = UsageQuerySchema.parse({});
    expect(result.granularity).toBe('day');
    expect(result.to.getTime() - result.from.getTime()).toBe(30 * 86_400_000);
    expect(
      UsageQuerySchema.safeParse({ from: '2025-01-01', to: '2024-01-01' }).error?.message,
    ).toContain('from must be before to');
    expect(UsageQuerySchema.safeParse({ from: 'yesterday' }).error?.issues[0].message).toBe(
      'from must be an ISO date',
    );
  });
});
