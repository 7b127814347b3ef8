import { compareStreamIds } from '../../common/stream-id';

/**
 * Where replay starts for a resuming client. Outbox ids are `${seq}-${n}`: a final is `seq-0`, the
 * translations delivered after it `seq-1`, `seq-2`... `last_id` (the last frame the client saw)
 * is exact. `last_seq=n` means "I have final n and what the server had sent after it": replay
 * starts after the last frame the previous connection wrote to its socket when that was a
 * translation of final n, else after everything numbered n.
 */
export function replayStart(
  lastSeq: number | undefined,
  lastId: string | undefined,
  lastSentId: string,
): string {
  if (lastId !== undefined) return lastId;
  if (lastSeq === undefined) return lastSentId;
  const boundary = lastSeq === 0 ? '0' : `${lastSeq}-0`;
  if (compareStreamIds(lastSentId, boundary) <= 0) return boundary;
  if (compareStreamIds(lastSentId, `${lastSeq + 1}-0`) < 0) return lastSentId;
  return `${lastSeq}-${Number.MAX_SAFE_INTEGER}`;
}
