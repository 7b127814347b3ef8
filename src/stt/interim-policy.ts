/**
 * Latest wins: an interim is worth computing only while it is the newest snapshot of its
 * utterance. `latest` is the newest revision the gateway marked (null when unknown, e.g. expired:
 * then compute rather than lose text). Finals are never skipped.
 */
export function skipAsStale(
  kind: 'interim' | 'final',
  revision: number,
  latest: number | null,
): boolean {
  return kind === 'interim' && latest !== null && latest > revision;
}
