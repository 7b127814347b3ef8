/**
 * The lifecycle of one live session, as a pure transition table (no sockets, no Redis), so that
 * every allowed and refused step can be tested on its own. LiveSession asks it before acting.
 *
 *   opening ──attached──▶ ready ──audio──▶ streaming
 *      │                   │  ▲               │
 *      │                   └──┘ resume        │ drain / shutdown
 *      │                    (config)          ▼
 *      └──fail──▶ closed ◀──drained / transport_closed── draining
 *   any state but closed ──takeover──▶ taken_over (terminal; the session lives on elsewhere)
 */
export type SessionState =
  /** Creating or resuming the session in Redis; inputs wait for it in arrival order. */
  | 'opening'
  /** Attached to its session, no audio yet: a config may still swap in a resumed session. */
  | 'ready'
  /** Audio has arrived. */
  | 'streaming'
  /** Ending: queuing what was spoken, then (drain) waiting for its finals. Audio is ignored. */
  | 'draining'
  | 'closed'
  /** Another connection resumed the session: this one must stop delivering. */
  | 'taken_over';

export type SessionInput =
  | 'attached'
  | 'audio'
  | 'config'
  /** A config that resumes another session instead of the one opened here. */
  | 'resume'
  | 'finalize'
  /** Drop the utterance in progress without a final (the client threw its audio away). */
  | 'discard'
  /** The client asked to end: transcribe and deliver everything, then close normally. */
  | 'drain'
  /** The drain finished (or gave up waiting). */
  | 'drained'
  /** Server shutdown: queue what was spoken and tell the client to resume elsewhere. */
  | 'shutdown'
  | 'takeover'
  /** The session cannot continue (fatal protocol error, overload, internal error). */
  | 'fail'
  /** The transport is gone (socket closed by either side). */
  | 'transport_closed';

export type Transition =
  | { accepted: true; from: SessionState; to: SessionState }
  /**
   * `ignored`: the input is harmless in this state and is dropped silently (audio after the end
   * of the session, a second close). `refused`: the client must be told (an error frame).
   */
  | { accepted: false; from: SessionState; to: SessionState; outcome: 'ignored' | 'refused' };

const LIVE: readonly SessionState[] = ['ready', 'streaming'];
const ENDED: readonly SessionState[] = ['closed', 'taken_over'];

function target(state: SessionState, input: SessionInput): SessionState | 'ignored' | 'refused' {
  const live = LIVE.includes(state);
  switch (input) {
    case 'attached':
      if (state === 'opening' || state === 'ready') return 'ready';
      // Shutdown started while the session was opening: it stays ending.
      return state === 'draining' ? 'draining' : 'ignored';
    case 'audio':
      return live ? 'streaming' : 'ignored';
    case 'config':
    case 'finalize':
    case 'discard':
      return live ? state : 'ignored';
    case 'resume':
      if (state === 'ready') return 'ready';
      // Audio already went into the session opened here: it cannot be swapped any more.
      return state === 'streaming' ? 'refused' : 'ignored';
    case 'drain':
      return live ? 'draining' : 'ignored';
    case 'shutdown':
      return live || state === 'opening' ? 'draining' : 'ignored';
    case 'drained':
      return state === 'draining' ? 'closed' : 'ignored';
    case 'takeover':
      // Delivery starts while opening (replay on resume): it can already find a new owner.
      return ENDED.includes(state) ? 'ignored' : 'taken_over';
    case 'fail':
      return ENDED.includes(state) ? 'ignored' : 'closed';
    case 'transport_closed':
      return ENDED.includes(state) ? 'ignored' : 'closed';
  }
}

export function transition(state: SessionState, input: SessionInput): Transition {
  const to = target(state, input);
  if (to === 'ignored' || to === 'refused') {
    return { accepted: false, from: state, to: state, outcome: to };
  }
  return { accepted: true, from: state, to };
}

/** Holds the current state; `apply` moves it only on an accepted transition. */
export class SessionStateMachine {
  private current: SessionState = 'opening';

  get state(): SessionState {
    return this.current;
  }

  /** Audio, config, finalize and discard are handled only here. */
  get live(): boolean {
    return LIVE.includes(this.current);
  }

  apply(input: SessionInput): Transition {
    const result = transition(this.current, input);
    this.current = result.to;
    return result;
  }
}
