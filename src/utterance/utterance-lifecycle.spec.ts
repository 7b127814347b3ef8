import {
  stepUtterance,
  UTTERANCE_INPUTS,
  UTTERANCE_STATES,
  type UtteranceInput,
  type UtteranceState,
} from './utterance-lifecycle';

/** Every state and input: `to[+effect...]`, `ignored` or `refused`. */
const TABLE: Record<UtteranceState, Record<UtteranceInput, string>> = {
  revision: {
    speculate: 'speculated+enqueue_speculation',
    speech_resumed: 'ignored',
    threshold_passed: 'refused',
    final_differs: 'refused',
    final_enqueued: 'owed+enqueue_final',
    session_closed: 'ignored',
    offer: 'refused',
    confirm_seen: 'refused',
    cancel_seen: 'refused',
    verdict_timeout: 'refused',
    withdraw_ok: 'refused',
    withdraw_gone: 'refused',
    appended: 'refused',
  },
  speculated: {
    speculate: 'ignored',
    speech_resumed: 'cancelled+decide_cancel',
    threshold_passed: 'confirmed+decide_confirm',
    final_differs: 'owed+decide_cancel+enqueue_final',
    final_enqueued: 'refused',
    session_closed: 'cancelled+decide_cancel',
    offer: 'offered',
    confirm_seen: 'refused',
    cancel_seen: 'refused',
    verdict_timeout: 'refused',
    withdraw_ok: 'refused',
    withdraw_gone: 'refused',
    appended: 'refused',
  },
  offered: {
    speculate: 'ignored',
    speech_resumed: 'ignored',
    threshold_passed: 'refused',
    final_differs: 'refused',
    final_enqueued: 'refused',
    session_closed: 'ignored',
    offer: 'refused',
    confirm_seen: 'confirmed',
    cancel_seen: 'cancelled+drop_wasted',
    verdict_timeout: 'expired',
    withdraw_ok: 'refused',
    withdraw_gone: 'refused',
    appended: 'refused',
  },
  confirmed: {
    speculate: 'ignored',
    speech_resumed: 'ignored',
    threshold_passed: 'refused',
    final_differs: 'refused',
    final_enqueued: 'refused',
    session_closed: 'ignored',
    offer: 'refused',
    confirm_seen: 'refused',
    cancel_seen: 'refused',
    verdict_timeout: 'refused',
    withdraw_ok: 'withdrawn+write_final',
    withdraw_gone: 'delivered+follow_gateway_append',
    appended: 'delivered',
  },
  cancelled: {
    speculate: 'speculated+enqueue_speculation',
    speech_resumed: 'ignored',
    threshold_passed: 'refused',
    final_differs: 'refused',
    final_enqueued: 'owed+enqueue_final',
    session_closed: 'ignored',
    offer: 'refused',
    confirm_seen: 'refused',
    cancel_seen: 'refused',
    verdict_timeout: 'refused',
    withdraw_ok: 'cancelled+drop_wasted',
    withdraw_gone: 'cancelled+drop_wasted',
    appended: 'refused',
  },
  expired: {
    speculate: 'ignored',
    speech_resumed: 'ignored',
    threshold_passed: 'refused',
    final_differs: 'refused',
    final_enqueued: 'refused',
    session_closed: 'ignored',
    offer: 'refused',
    confirm_seen: 'refused',
    cancel_seen: 'refused',
    verdict_timeout: 'refused',
    withdraw_ok: 'expired+drop_expired',
    withdraw_gone: 'expired+drop_expired',
    appended: 'refused',
  },
  withdrawn: {
    speculate: 'ignored',
    speech_resumed: 'ignored',
    threshold_passed: 'refused',
    final_differs: 'refused',
    final_enqueued: 'refused',
    session_closed: 'ignored',
    offer: 'refused',
    confirm_seen: 'refused',
    cancel_seen: 'refused',
    verdict_timeout: 'refused',
    withdraw_ok: 'refused',
    withdraw_gone: 'refused',
    appended: 'delivered',
  },
  owed: {
    speculate: 'ignored',
    speech_resumed: 'ignored',
    threshold_passed: 'refused',
    final_differs: 'refused',
    final_enqueued: 'refused',
    session_closed: 'ignored',
    offer: 'refused',
    confirm_seen: 'refused',
    cancel_seen: 'refused',
    verdict_timeout: 'refused',
    withdraw_ok: 'refused',
    withdraw_gone: 'refused',
    appended: 'delivered',
  },
  delivered: {
    speculate: 'ignored',
    speech_resumed: 'ignored',
    threshold_passed: 'refused',
    final_differs: 'refused',
    final_enqueued: 'refused',
    session_closed: 'ignored',
    offer: 'refused',
    confirm_seen: 'refused',
    cancel_seen: 'refused',
    verdict_timeout: 'refused',
    withdraw_ok: 'refused',
    withdraw_gone: 'refused',
    appended: 'ignored',
  },
};

function describeStep(state: UtteranceState, input: UtteranceInput): string {
  const step = stepUtterance(state, input);
  return step.accepted ? [step.to, ...step.effects].join('+') : step.outcome;
}

describe('the utterance lifecycle table', () => {
  for (const state of UTTERANCE_STATES) {
    for (const input of UTTERANCE_INPUTS) {
      it(`${state} + ${input} -> ${TABLE[state][input]}`, () => {
        expect(describeStep(state, input)).toBe(TABLE[state][input]);
      });
    }
  }

  it('reaches delivered exactly once along each path a final can take', () => {
    const paths: UtteranceInput[][] = [
      ['final_enqueued', 'appended'],
      ['speculate', 'threshold_passed', 'appended'],
      ['speculate', 'speech_resumed', 'speculate', 'final_differs', 'appended'],
      ['speculate', 'offer', 'confirm_seen', 'withdraw_ok', 'appended'],
      ['speculate', 'offer', 'confirm_seen', 'withdraw_gone'],
    ];
    for (const path of paths) {
      let state: UtteranceState = 'revision';
      for (const input of path) {
        const step = stepUtterance(state, input);
        if (!step.accepted) throw new Error(`${path.join(' > ')}: ${input} ${step.outcome}`);
        state = step.to;
      }
      expect(state).toBe('delivered');
      expect(stepUtterance(state, 'appended')).toMatchObject({
        accepted: false,
        outcome: 'ignored',
      });
    }
  });
});
