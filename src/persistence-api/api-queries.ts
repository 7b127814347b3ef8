import { z } from '../common/validation/schema-parse';
import { TRANSCRIPT_FORMATS } from '../persistence/transcripts/transcript-format.service';

const DAY_MS = 86_400_000;
const MAX_RANGE_MS = 400 * DAY_MS;

export const SessionIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'Invalid session id');

const LANGUAGE = 'language must be a language code such as en or es';

/** GET /v1/sessions/{id}/transcript?format=&language= */
export const TranscriptQuerySchema = z.object({
  format: z
    .enum(TRANSCRIPT_FORMATS, { error: `format must be one of ${TRANSCRIPT_FORMATS.join(', ')}` })
    .default('json'),
  /** Only this language's translation (the original when absent). */
  language: z
    .string({ error: LANGUAGE })
    .regex(/^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})?$/, LANGUAGE)
    .optional(),
});
export type TranscriptQuery = z.output<typeof TranscriptQuerySchema>;

function isoDate(name: string) {
  return z
    .string({ error: `${name} must be an ISO date` })
    .transform((text) => new Date(text))
    .refine((date) => !Number.isNaN(date.getTime()), `${name} must be an ISO date`)
    .optional();
}

/**
 * GET /v1/usage?from=&to=&granularity=&keyId=: by default the 30 days up to now, by day, of the
 * calling key.
 */
export const UsageQuerySchema = z
  .object({
    to: isoDate('to'),
    from: isoDate('from'),
    granularity: z
      .enum(['hour', 'day'], { error: 'granularity must be hour or day' })
      .default('day'),
    keyId: z.string({ error: 'keyId must be one key id, or all' }).optional(),
  })
  .transform(({ from, to, granularity, keyId }) => {
    const end = to ?? new Date(Date.now() + 1);
    return { from: from ?? new Date(end.getTime() - 30 * DAY_MS), to: end, granularity, keyId };
  })
  .refine(
    ({ from, to }) => from < to && to.getTime() - from.getTime() <= MAX_RANGE_MS,
    'from must be before to, at most 400 days apart',
  );
export type UsageQuery = z.output<typeof UsageQuerySchema>;
