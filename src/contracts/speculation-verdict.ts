/**
 * What the gateway decided about a speculative final (the final's inference started before the
 * silence threshold passed): `confirm` (no speech came back: its result is the final; `at` is when
 * the threshold passed, the utterance's end for latency) or `cancel` (speech came back, or the
 * utterance ended otherwise: never deliver it).
 */
export type SpeculationVerdict = { kind: 'confirm'; at: number } | { kind: 'cancel' };

export function parseVerdict(value: string | null): SpeculationVerdict | null {
  if (value === 'cancel') return { kind: 'cancel' };
  const match = value === null ? null : /^confirm:(\d+)$/.exec(value);
  return match ? { kind: 'confirm', at: Number(match[1]) } : null;
}

export function formatVerdict(verdict: SpeculationVerdict): string {
  return verdict.kind === 'cancel' ? 'cancel' : `confirm:${verdict.at}`;
}
