import { CloseCode, ProtocolError } from '../protocol/protocol-error';
import { ResumePosition } from '../delivery/session-delivery';

/** A session to resume (`token`) and where its replay starts. */
export type ResumeRequest = { token?: string } & ResumePosition;

/** Resume parameters from the query string or a config frame; bad values are 4000 errors. */
export function parseResume(
  token: unknown,
  lastSeqValue: unknown,
  lastIdValue: unknown,
  closeCode: number | undefined = CloseCode.BadRequest,
): ResumeRequest {
  if (token !== undefined && (typeof token !== 'string' || token === '')) {
    throw new ProtocolError('invalid_resume', 'resume must be a resume token', closeCode);
  }
  let lastSeq: number | undefined;
  if (lastSeqValue !== undefined && lastSeqValue !== null) {
    lastSeq = Number(lastSeqValue);
    if (lastSeqValue === '' || !Number.isInteger(lastSeq) || lastSeq < 0) {
      throw new ProtocolError('invalid_resume', 'last_seq must be an integer >= 0', closeCode);
    }
  }
  let lastId: string | undefined;
  if (lastIdValue !== undefined && lastIdValue !== null) {
    if (typeof lastIdValue !== 'string' || !/^\d+-\d+$/.test(lastIdValue)) {
      throw new ProtocolError('invalid_resume', 'last_id must look like "12-0"', closeCode);
    }
    lastId = lastIdValue;
  }
  return { token: token, lastSeq, lastId };
}
