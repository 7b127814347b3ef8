import {
  type SessionInput,
  type SessionState,
  SessionStateMachine,
  transition,
} from './session-state';

const STATES: SessionState[] = [
  'opening',
  'ready',
  'streaming',
  'draining',
  'closed',
  'taken_over',
];

/** Expected target per state and input: a state, or how a refused input is handled. */
const TABLE: Record<SessionInput, Record<SessionState, SessionState | 'ignored' | 'refused'>> = {
  attached: {
    opening: 'ready',
    ready: 'ready',
    streaming: 'ignored',
    draining: 'draining',
    closed: 'ignored',
    taken_over: 'ignored',
  },
  audio: {
    opening: 'ignored',
    ready: 'streaming',
    streaming: 'streaming',
    draining: 'ignored',
    closed: 'ignored',
    taken_over: 'ignored',
  },
  config: {
    opening: 'ignored',
    ready: 'ready',
    streaming: 'streaming',
    draining: 'ignored',
    closed: 'ignored',
    taken_over: 'ignored',
  },
  resume: {
    opening: 'ignored',
    ready: 'ready',
    streaming: 'refused',
    draining: 'ignored',
    closed: 'ignored',
    taken_over: 'ignored',
  },
  finalize: {
    opening: 'ignored',
    ready: 'ready',
    streaming: 'streaming',
    draining: 'ignored',
    closed: 'ignored',
    taken_over: 'ignored',
  },
  discard: {
    opening: 'ignored',
    ready: 'ready',
    streaming: 'streaming',
    draining: 'ignored',
    closed: 'ignored',
    taken_over: 'ignored',
  },
  drain: {
    opening: 'ignored',
    ready: 'draining',
    streaming: 'draining',
    draining: 'ignored',
    closed: 'ignored',
    taken_over: 'ignored',
  },
  drained: {
    opening: 'ignored',
    ready: 'ignored',
    streaming: 'ignored',
    draining: 'closed',
    closed: 'ignored',
    taken_over: 'ignored',
  },
  shutdown: {
    opening: 'draining',
    ready: 'draining',
    streaming: 'draining',
    draining: 'ignored',
    closed: 'ignored',
    taken_over: 'ignored',
  },
  takeover: {
    opening: 'taken_over',
    ready: 'taken_over',
    streaming: 'taken_over',
    draining: 'taken_over',
    closed: 'ignored',
    taken_over: 'ignored',
  },
  fail: {
    opening: 'closed',
    ready: 'closed',
    streaming: 'closed',
    draining: 'closed',
    closed: 'ignored',
    taken_over: 'ignored',
  },
  transport_closed: {
    opening: 'closed',
    ready: 'closed',
    streaming: 'closed',
    draining: 'closed',
    closed: 'ignored',
    taken_over: 'ignored',
  },
};

describe('session lifecycle', () => {
  const cases = (Object.keys(TABLE) as SessionInput[]).flatMap((input) =>
    STATES.map((state) => [state, input, TABLE[input][state]] as const),
  );

  it.each(cases)('%s + %s -> %s', (state, input, expected) => {
    const step = transition(state, input);
    if (expected === 'ignored' || expected === 'refused') {
      expect(step).toEqual({ accepted: false, from: state, to: state, outcome: expected });
    } else {
      expect(step).toEqual({ accepted: true, from: state, to: expected });
    }
  });

  /** Runs inputs from `opening` and returns the machine. */
  function run(...inputs: SessionInput[]): SessionStateMachine {
    const machine = new SessionStateMachine();
    for (const input of inputs) machine.apply(input);
    return machine;
  }

  it('streams after the first audio and is live until it ends', () => {
    expect(run().state).toBe('opening');
    expect(run().live).toBe(false);
    expect(run('attached').live).toBe(true);
    expect(run('attached', 'audio').state).toBe('streaming');
    expect(run('attached', 'audio', 'drain').live).toBe(false);
  });

  it('drops audio after close', () => {
    const machine = run('attached', 'audio', 'transport_closed');
    expect(machine.apply('audio')).toMatchObject({ accepted: false, outcome: 'ignored' });
    expect(machine.state).toBe('closed');
  });

  it('ignores finalize and a second close while draining', () => {
    const machine = run('attached', 'audio', 'drain');
    expect(machine.apply('finalize')).toMatchObject({ accepted: false, outcome: 'ignored' });
    expect(machine.apply('drain')).toMatchObject({ accepted: false, outcome: 'ignored' });
    expect(machine.state).toBe('draining');
    expect(machine.apply('drained')).toMatchObject({ accepted: true, to: 'closed' });
  });

  it('a takeover during the drain wins: the drain ends without a closed frame', () => {
    const machine = run('attached', 'audio', 'drain', 'takeover');
    expect(machine.state).toBe('taken_over');
    expect(machine.apply('drained').accepted).toBe(false);
    expect(machine.apply('transport_closed').accepted).toBe(false);
    expect(machine.state).toBe('taken_over');
  });

  it('refuses a resume by config once audio streamed; plain config is still fine', () => {
    const machine = run('attached', 'resume', 'audio');
    expect(machine.apply('config').accepted).toBe(true);
    expect(machine.apply('resume')).toMatchObject({ accepted: false, outcome: 'refused' });
    expect(machine.state).toBe('streaming');
  });

  it('closes once: a second transport close or failure changes nothing', () => {
    const machine = run('attached', 'transport_closed');
    expect(machine.apply('transport_closed').accepted).toBe(false);
    expect(machine.apply('fail').accepted).toBe(false);
    expect(machine.state).toBe('closed');
  });

  it('a shutdown while opening stays ending once the session is attached', () => {
    const machine = run('shutdown', 'attached');
    expect(machine.state).toBe('draining');
    expect(machine.apply('audio').accepted).toBe(false);
  });
});
