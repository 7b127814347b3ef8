import { type SpeculationVerdict } from '../contracts/speculation-verdict';
import {
  stepUtterance,
  type UtteranceEffect,
  type UtteranceInput,
  type UtteranceState,
} from './utterance-lifecycle';

/** What the worker does with a computed speculation once it stopped waiting for the verdict. */
export type Settlement =
  | { action: 'write_final'; verdict: { kind: 'confirm'; at: number } }
  | { action: 'follow_gateway_append' }
  | { action: 'drop'; why: 'wasted' | 'expired' };

/** What the worker learned: the verdict it waited for (or read late), and whether its offer was still there. */
export interface SettlementFacts {
  verdict: SpeculationVerdict | null;
  withdrawn: boolean;
}

function verdictInput(verdict: SpeculationVerdict | null): UtteranceInput {
  if (!verdict) return 'verdict_timeout';
  return verdict.kind === 'confirm' ? 'confirm_seen' : 'cancel_seen';
}

/**
 * Steps an offered speculation through the lifecycle table with what the worker learned, and
 * names what is left to do. Pure, so every combination is tested against made-up verdicts.
 */
export function settleSpeculation({ verdict, withdrawn }: SettlementFacts): Settlement {
  let state: UtteranceState = 'offered';
  const effects: UtteranceEffect[] = [];
  for (const input of [
    verdictInput(verdict),
    withdrawn ? 'withdraw_ok' : 'withdraw_gone',
  ] as const) {
    const step = stepUtterance(state, input);
    if (!step.accepted) throw new Error(`speculation cannot take ${input} in state ${state}`);
    state = step.to;
    effects.push(...step.effects);
  }
  if (effects.includes('write_final') && verdict?.kind === 'confirm') {
    return { action: 'write_final', verdict };
  }
  if (effects.includes('follow_gateway_append')) return { action: 'follow_gateway_append' };
  return { action: 'drop', why: effects.includes('drop_expired') ? 'expired' : 'wasted' };
}
