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

/**
 * What a worker announces when it offers a computed speculation: its text, so that the gateway
 * can judge whether it is a complete turn before the silence threshold passes.
 */
export interface SpeculationOffer {
  utteranceId: string;
  revision: number;
  text: string;
  language: string;
  /** Mean probability of its words, when the decode had word timings. */
  confidence?: number;
}

export function parseOffer(message: string): SpeculationOffer | null {
  try {
    const value = JSON.parse(message) as Partial<SpeculationOffer>;
    if (
      typeof value.utteranceId !== 'string' ||
      typeof value.revision !== 'number' ||
      typeof value.text !== 'string' ||
      typeof value.language !== 'string'
    ) {
      return null;
    }
    return {
      utteranceId: value.utteranceId,
      revision: value.revision,
      text: value.text,
      language: value.language,
      ...(typeof value.confidence === 'number' ? { confidence: value.confidence } : {}),
    };
  } catch {
    return null;
  }
}
