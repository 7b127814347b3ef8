/**
 * Redis stream ids ("<ms>-<seq>") compared and stepped exactly (seq may exceed 2^53). The one
 * comparison for result streams, session outboxes (`<seq>-<n>`), room streams and the archive.
 */
const STREAM_ID = /^(\d+)-(\d+)$/;
const MAX_SEQ = 18446744073709551615n;

function parts(id: string): [bigint, bigint] {
  if (id === '0') return [0n, 0n];
  const [, ms, seq] = STREAM_ID.exec(id) ?? [];
  if (ms === undefined || seq === undefined) throw new Error(`Not a stream id: ${id}`);
  return [BigInt(ms), BigInt(seq)];
}

export function isStreamId(id: string): boolean {
  return id === '0' || STREAM_ID.test(id);
}

export function compareStreamIds(a: string, b: string): number {
  const [am, as] = parts(a);
  const [bm, bs] = parts(b);
  if (am !== bm) return am < bm ? -1 : 1;
  if (as !== bs) return as < bs ? -1 : 1;
  return 0;
}

export function minStreamId(a: string, b: string): string {
  return compareStreamIds(a, b) <= 0 ? a : b;
}

/**
 * The id just before `id`, so that reading "after" it includes `id` itself. '0' means from the
 * start of the stream.
 */
export function streamIdBefore(id: string): string {
  const [ms, seq] = parts(id);
  if (seq > 0n) return `${ms}-${seq - 1n}`;
  if (ms > 0n) return `${ms - 1n}-${MAX_SEQ}`;
  return '0';
}
