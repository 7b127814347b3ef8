/**
 * The life of one utterance's final across the gateway and the stt worker, as a pure transition
 * table (no Redis, no queues): the gateway's speculation bookkeeping (SpeculationTracker) and the
 * worker's settling of a speculation (settleSpeculation) both step through it, so the protocol is
 * written down once and every state and input is tested on its own.
 *
 *  revision ─speculate─▶ speculated ─threshold_passed─▶ confirmed ─appended─▶ delivered
 *     │  ▲                 │  │  │                         │
 *     │  └──speech_resumed─┘  │  └─offer─▶ offered          └─withdraw_ok─▶ withdrawn ─appended─▶ delivered
 *     │   (via cancelled)     │            │ confirm_seen ─▶ confirmed ─withdraw_gone─▶ delivered
 *     │                       │            │ cancel_seen ──▶ cancelled
 *     │                       │            └ verdict_timeout ▶ expired
 *     └─final_enqueued─▶ owed ◀─final_differs─┘
 *                         └─appended─▶ delivered
 *
 * The gateway's inputs: speculate (SPECULATIVE_SILENCE_SECONDS of silence), speech_resumed,
 * threshold_passed (the silence threshold with the speculation's audio), final_differs (the
 * segmenter's final has other audio), final_enqueued, session_closed. The worker's: offer (its
 * speculation is computed), confirm_seen / cancel_seen / verdict_timeout (what waiting for the
 * verdict gave), withdraw_ok / withdraw_gone (whether its offer was still there to take back).
 * Either side: appended (the final, or the error in its place, is in the session's results).
 */
export type UtteranceState =
  /** Speech in progress: interim revisions may be out, no final job. */
  | 'revision'
  /** A speculative final is out and undecided. */
  | 'speculated'
  /** The worker computed the speculation and offered its final; it waits for the verdict. */
  | 'offered'
  /** The verdict is confirm: the speculation's result is the final, owed to the client. */
  | 'confirmed'
  /** The verdict is cancel: the speculation is never delivered; the utterance goes on. */
  | 'cancelled'
  /** No verdict came in time: the worker dropped its speculation. */
  | 'expired'
  /** Confirmed, and the worker took its offer back itself: it writes the final. */
  | 'withdrawn'
  /** The segmenter's final is enqueued: exactly one message is owed for the utterance. */
  | 'owed'
  /** The final (or the error in its place) is in the session's results, once. */
  | 'delivered';

export type UtteranceInput =
  | 'speculate'
  | 'speech_resumed'
  | 'threshold_passed'
  | 'final_differs'
  | 'final_enqueued'
  | 'session_closed'
  | 'offer'
  | 'confirm_seen'
  | 'cancel_seen'
  | 'verdict_timeout'
  | 'withdraw_ok'
  | 'withdraw_gone'
  | 'appended';

/** What the side that stepped must do. */
export type UtteranceEffect =
  | 'enqueue_speculation'
  | 'enqueue_final'
  /** Record the verdict `cancel` (the worker drops the speculation, offered or not). */
  | 'decide_cancel'
  /** Record the verdict `confirm` (it appends the worker's offered final, if there is one). */
  | 'decide_confirm'
  /** The worker writes the speculation's final itself. */
  | 'write_final'
  /** The gateway's confirm appended the offered final: the worker only does what follows it. */
  | 'follow_gateway_append'
  | 'drop_wasted'
  | 'drop_expired';

export type UtteranceStep =
  | { accepted: true; from: UtteranceState; to: UtteranceState; effects: UtteranceEffect[] }
  /** `ignored`: harmless here (speech after the final was decided); `refused`: a bug. */
  | { accepted: false; from: UtteranceState; outcome: 'ignored' | 'refused' };

export const UTTERANCE_STATES: readonly UtteranceState[] = [
  'revision',
  'speculated',
  'offered',
  'confirmed',
  'cancelled',
  'expired',
  'withdrawn',
  'owed',
  'delivered',
];

export const UTTERANCE_INPUTS: readonly UtteranceInput[] = [
  'speculate',
  'speech_resumed',
  'threshold_passed',
  'final_differs',
  'final_enqueued',
  'session_closed',
  'offer',
  'confirm_seen',
  'cancel_seen',
  'verdict_timeout',
  'withdraw_ok',
  'withdraw_gone',
  'appended',
];

type Target = [UtteranceState, ...UtteranceEffect[]] | 'ignored' | 'refused';

/** Like `revision`: the utterance goes on after a cancelled speculation. */
const GOES_ON: readonly UtteranceState[] = ['revision', 'cancelled'];
/** The final is decided: later gateway inputs about this utterance change nothing. */
const DECIDED: readonly UtteranceState[] = ['confirmed', 'owed', 'withdrawn', 'delivered'];

function target(state: UtteranceState, input: UtteranceInput): Target {
  switch (input) {
    case 'speculate':
      return GOES_ON.includes(state) ? ['speculated', 'enqueue_speculation'] : 'ignored';
    case 'final_enqueued':
      return GOES_ON.includes(state) ? ['owed', 'enqueue_final'] : 'refused';
    case 'speech_resumed':
      if (state === 'speculated') return ['cancelled', 'decide_cancel'];
      return 'ignored';
    case 'threshold_passed':
      return state === 'speculated' ? ['confirmed', 'decide_confirm'] : 'refused';
    case 'final_differs':
      return state === 'speculated' ? ['owed', 'decide_cancel', 'enqueue_final'] : 'refused';
    case 'session_closed':
      return state === 'speculated' ? ['cancelled', 'decide_cancel'] : 'ignored';
    case 'offer':
      return state === 'speculated' ? ['offered'] : 'refused';
    case 'confirm_seen':
      return state === 'offered' ? ['confirmed'] : 'refused';
    case 'cancel_seen':
      return state === 'offered' ? ['cancelled', 'drop_wasted'] : 'refused';
    case 'verdict_timeout':
      return state === 'offered' ? ['expired'] : 'refused';
    case 'withdraw_ok':
      if (state === 'confirmed') return ['withdrawn', 'write_final'];
      if (state === 'cancelled') return ['cancelled', 'drop_wasted'];
      if (state === 'expired') return ['expired', 'drop_expired'];
      return 'refused';
    case 'withdraw_gone':
      // Gone: a confirm appended it, or a cancel dropped it, after the wait ended.
      if (state === 'confirmed') return ['delivered', 'follow_gateway_append'];
      if (state === 'cancelled') return ['cancelled', 'drop_wasted'];
      if (state === 'expired') return ['expired', 'drop_expired'];
      return 'refused';
    case 'appended':
      if (state === 'delivered') return 'ignored';
      return DECIDED.includes(state) ? ['delivered'] : 'refused';
  }
}

export function stepUtterance(state: UtteranceState, input: UtteranceInput): UtteranceStep {
  const next = target(state, input);
  if (next === 'ignored' || next === 'refused') {
    return { accepted: false, from: state, outcome: next };
  }
  const [to, ...effects] = next;
  return { accepted: true, from: state, to, effects };
}
