import {
  firstMessage,
  numberOrNumericText,
  withMessage,
  z,
} from '../../common/validation/schema-parse';
import { CloseCode } from '../../contracts/close-codes';
import { ProtocolError } from '../../contracts/protocol-error';
import { type ResumePosition } from '../delivery/session-delivery';

/** A session to resume (`token`) and where its replay starts. */
export type ResumeRequest = { token?: string } & ResumePosition;

const BAD_TOKEN = 'resume must be a resume token';
const BAD_LAST_ID = 'last_id must look like "12-0"';

/** Resume parameters as the query string (text) or a config frame (JSON values) has them. */
const resumeRequestSchema = z
  .object({
    token: z.string({ error: BAD_TOKEN }).min(1, { error: BAD_TOKEN }).optional(),
    lastSeq: withMessage(
      numberOrNumericText.pipe(z.number().int().min(0)),
      () => 'last_seq must be an integer >= 0',
    ).nullish(),
    lastId: z
      .string({ error: BAD_LAST_ID })
      .regex(/^\d+-\d+$/, { error: BAD_LAST_ID })
      .nullish(),
  })
  .transform(({ token, lastSeq, lastId }) => ({
    token,
    lastSeq: lastSeq ?? undefined,
    lastId: lastId ?? undefined,
  })) satisfies z.ZodType<ResumeRequest>;

/** Resume parameters from the query string or a config frame; bad values are 4000 errors. */
export function parseResume(
  token: unknown,
  lastSeq: unknown,
  lastId: unknown,
  closeCode: number | undefined = CloseCode.BadRequest,
): ResumeRequest {
  const result = resumeRequestSchema.safeParse({ token, lastSeq, lastId });
  if (result.success) return result.data;
  throw new ProtocolError('invalid_resume', firstMessage(result.error), closeCode);
}
