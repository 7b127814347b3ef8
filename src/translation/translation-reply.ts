/** What a translation worker answers an HTTP (LibreTranslate-compatible) request with. */
export type TranslationReply = (
  { ok: true; text: string; engine: string } | { ok: false; status: 400 | 500 | 503; error: string }
) & {
  /** The job's `index`: every text of one request replies on the same list, in any order. */
  index?: number;
};

/** Replies are read once; the key expires if the requester gave up. */
export const REPLY_TTL_SECONDS = 60;
