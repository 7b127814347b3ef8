/**
 * The ids that tie one utterance together across processes: its id, the BullMQ job ids that
 * deduplicate its stt and translation jobs, and the dedupe ids of its results in the session's
 * result stream (so a retried job writes its outcome once). BullMQ accepts ':' in a custom job id
 * only in three parts, hence `<session>:<index>:<what>`.
 */

/** `${sessionId}:${index}`: unique within the service. */
export function utteranceId(sessionId: string, index: number): string {
  return `${sessionId}:${index}`;
}

/** The 1-based index of an utterance in its session. */
export function utteranceIndex(id: string): number {
  return Number(id.slice(id.lastIndexOf(':') + 1));
}

/** The stt job of one revision of an utterance (the final has the highest revision). */
export function sttJobId(utterance: string, revision: number): string {
  return `${utterance}:${revision}`;
}

export function translationJobId(
  utterance: string,
  kind: 'final' | 'interim',
  revision: number,
): string {
  return kind === 'final' ? `${utterance}:final` : `${utterance}:interim-${revision}`;
}

/** Dedupe id of an utterance's final outcome (its final, or the error in its place). */
export function finalResultId(utterance: string): string {
  return `final:${utterance}`;
}

export function interimResultId(utterance: string, revision: number): string {
  return `interim:${utterance}:${revision}`;
}
