import { jsonText, LANGUAGE_CODE, z } from '../common/validation/schema-parse';
import { RoomAccessError } from './room-access.service';
import { ORIGINAL } from './room-frames';

const STREAM_ID = /^\d{1,16}-\d{1,10}$/;

/** `original`, or a language code (a region is dropped: `pt-BR` listens to `pt`). */
const listenerLanguage = z
  .string()
  .nullish()
  .transform((value) =>
    !value || value === ORIGINAL ? ORIGINAL : (value.toLowerCase().split(/[-_]/)[0] ?? ''),
  )
  .refine((code) => code === ORIGINAL || LANGUAGE_CODE.test(code), {
    error: 'language must be original or a code like es',
  });

/** Where a listener starts: after `last_id` (or SSE's Last-Event-ID); '0' = the whole transcript. */
const listenerPosition = z
  .string()
  .nullish()
  .transform((value) => (!value || value === '0' ? '0' : value))
  .refine((id) => id === '0' || STREAM_ID.test(id), {
    error: 'last_id must look like "1712345678901-0"',
  });

/** A listener's query (WebSocket) or query and Last-Event-ID (SSE). */
export const ListenerQuerySchema = z.object({
  language: listenerLanguage,
  last_id: listenerPosition,
});

export type ListenerQuery = z.output<typeof ListenerQuerySchema>;

const ERROR_CODES: Record<string, string> = {
  language: 'invalid_language',
  last_id: 'invalid_resume',
};

/** The listener's query, or a RoomAccessError 400 naming the first bad field. */
export function parseListenerQuery(query: z.input<typeof ListenerQuerySchema>): ListenerQuery {
  const result = ListenerQuerySchema.safeParse(query);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new RoomAccessError(
    400,
    ERROR_CODES[String(issue?.path[0])] ?? 'invalid_request',
    issue?.message ?? 'invalid listener request',
  );
}

/** The one text frame a listener may send. */
export const ListenerFrameSchema = jsonText('not JSON').pipe(
  z.object({ type: z.literal('keepalive') }),
);
