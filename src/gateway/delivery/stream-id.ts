/** Redis stream ids ("ms-seq") compared numerically. */
export function compareStreamIds(a: string, b: string): number {
  const [aMajor, aMinor = '0'] = a.split('-');
  const [bMajor, bMinor = '0'] = b.split('-');
  const major = Number(aMajor) - Number(bMajor);
  return major !== 0 ? Math.sign(major) : Math.sign(Number(aMinor) - Number(bMinor));
}

/**
 * Where replay starts for a resuming client. Outbox ids are `${seq}-${n}`: a final is `seq-0`, the
 * translations delivered after it `seq-1`, `seq-2`... The client names the last final it saw
 * (`last_seq`) or, exactly, the last frame (`last_id`); translations that followed its last final
 * are replayed unless the previous connection had already written them to the socket.
 */
export function replayStart(
  lastSeq: number | undefined,
  lastId: string | undefined,
  lastSentId: string,
): string {
  if (lastId !== undefined) return lastId;
  if (lastSeq === undefined) return lastSentId;
  const boundary = lastSeq === 0 ? '0' : `${lastSeq}-0`;
  const next = `${lastSeq + 1}-0`;
  if (compareStreamIds(lastSentId, boundary) > 0 && compareStreamIds(lastSentId, next) < 0) {
    return lastSentId;
  }
  return boundary;
}
