import {
  EndOfTurnContext,
  EndOfTurnInput,
  EndOfTurnState,
  endOfTurnDeadline,
  INITIAL_END_OF_TURN_STATE,
  stepEndOfTurn,
} from './end-of-turn-machine';
import { TurnJudgement } from './turn-completeness';
import { DEFAULT_TURN_TIMING } from './turn-timing';

const semantic: EndOfTurnContext = {
  timing: { ...DEFAULT_TURN_TIMING, mode: 'semantic', minSilenceMs: 250, maxSilenceMs: 1500 },
  language: 'en',
};
const silence: EndOfTurnContext = {
  timing: { ...DEFAULT_TURN_TIMING, mode: 'silence', silenceMs: 600 },
  language: 'en',
};

const complete: TurnJudgement = { verdict: 'complete', reason: 'terminal-punctuation' };
const forWord: TurnJudgement = { verdict: 'incomplete', reason: 'continuation-word', word: 'for' };

const speaking: EndOfTurnState = { phase: 'speaking' };
const silent: EndOfTurnState = { phase: 'silent', since: 1000 };
const eager: EndOfTurnState = { phase: 'eager', since: 1000, text: 'Hi.', judgement: complete };
const pending: EndOfTurnState = {
  phase: 'pending',
  since: 1000,
  text: 'A table for',
  judgement: forWord,
};
const ended: EndOfTurnState = { phase: 'ended', trigger: 'model', at: 1250 };

const step = (state: EndOfTurnState, input: EndOfTurnInput, context = semantic) =>
  stepEndOfTurn(state, input, context);

describe('end of turn: every state and input, before any deadline (semantic mode)', () => {
  const at = 1100;
  it.each<[string, EndOfTurnState, EndOfTurnInput, EndOfTurnState, unknown[]]>([
    [
      'speaking + silence',
      speaking,
      { type: 'silence-started', at },
      { phase: 'silent', since: at },
      [],
    ],
    [
      'speaking + speculation (stale)',
      speaking,
      { type: 'speculation', at, text: 'Hi.' },
      speaking,
      [],
    ],
    ['speaking + speech', speaking, { type: 'speech-resumed', at }, speaking, []],
    ['speaking + tick', speaking, { type: 'tick', at }, speaking, []],
    [
      'speaking + force-end',
      speaking,
      { type: 'force-end', at },
      { phase: 'ended', trigger: 'manual', at },
      [{ type: 'end-of-turn', trigger: 'manual', at, text: undefined }],
    ],
    ['silent + silence (repeat)', silent, { type: 'silence-started', at }, silent, []],
    [
      'silent + complete speculation',
      silent,
      { type: 'speculation', at, text: ' Hi. ', confidence: 0.9 },
      eager,
      [{ type: 'eager-end-of-turn', text: 'Hi.', judgement: complete }],
    ],
    [
      'silent + incomplete speculation',
      silent,
      { type: 'speculation', at, text: 'A table for' },
      { ...pending, judgement: { verdict: 'incomplete', reason: 'no-terminal-punctuation' } },
      [],
    ],
    [
      'silent + speculation of an earlier silence',
      silent,
      { type: 'speculation', at, text: 'Hi.', silenceStartedAt: 400 },
      silent,
      [],
    ],
    [
      'silent + speculation of this silence',
      silent,
      { type: 'speculation', at, text: 'Hi.', silenceStartedAt: 1000 },
      eager,
      [{ type: 'eager-end-of-turn', text: 'Hi.', judgement: complete }],
    ],
    ['silent + speech', silent, { type: 'speech-resumed', at }, speaking, []],
    ['silent + tick', silent, { type: 'tick', at }, silent, []],
    [
      'silent + force-end',
      silent,
      { type: 'force-end', at },
      { phase: 'ended', trigger: 'manual', at },
      [{ type: 'end-of-turn', trigger: 'manual', at, text: undefined }],
    ],
    ['eager + silence (repeat)', eager, { type: 'silence-started', at }, eager, []],
    [
      'eager + second speculation',
      eager,
      { type: 'speculation', at, text: 'Hi there and' },
      eager,
      [],
    ],
    ['eager + speech', eager, { type: 'speech-resumed', at }, speaking, [{ type: 'turn-resumed' }]],
    ['eager + tick', eager, { type: 'tick', at }, eager, []],
    [
      'eager + force-end',
      eager,
      { type: 'force-end', at },
      { phase: 'ended', trigger: 'manual', at },
      [{ type: 'end-of-turn', trigger: 'manual', at, text: 'Hi.' }],
    ],
    ['pending + silence (repeat)', pending, { type: 'silence-started', at }, pending, []],
    [
      'pending + second speculation',
      pending,
      { type: 'speculation', at, text: 'Hi.' },
      pending,
      [],
    ],
    ['pending + speech', pending, { type: 'speech-resumed', at }, speaking, []],
    ['pending + tick', pending, { type: 'tick', at }, pending, []],
    [
      'pending + force-end',
      pending,
      { type: 'force-end', at },
      { phase: 'ended', trigger: 'manual', at },
      [{ type: 'end-of-turn', trigger: 'manual', at, text: 'A table for' }],
    ],
    ['ended + silence', ended, { type: 'silence-started', at: 2000 }, ended, []],
    ['ended + speculation', ended, { type: 'speculation', at: 2000, text: 'Hi.' }, ended, []],
    ['ended + speech', ended, { type: 'speech-resumed', at: 2000 }, ended, []],
    ['ended + tick', ended, { type: 'tick', at: 2000 }, ended, []],
    ['ended + force-end', ended, { type: 'force-end', at: 2000 }, ended, []],
  ])('%s', (_name, state, input, nextState, outputs) => {
    expect(step(state, input)).toEqual({ state: nextState, outputs });
  });
});

describe('end of turn: deadlines', () => {
  it('semantic: a complete turn ends at the minimum silence, by the model', () => {
    expect(endOfTurnDeadline(eager, semantic.timing)).toBe(1250);
    expect(step(eager, { type: 'tick', at: 1249 }).outputs).toEqual([]);
    expect(step(eager, { type: 'tick', at: 1250 })).toEqual({
      state: { phase: 'ended', trigger: 'model', at: 1250 },
      outputs: [{ type: 'end-of-turn', trigger: 'model', at: 1250, text: 'Hi.' }],
    });
  });

  it('semantic: an incomplete turn, or one without text, ends at the maximum, by timeout', () => {
    expect(endOfTurnDeadline(pending, semantic.timing)).toBe(2500);
    expect(endOfTurnDeadline(silent, semantic.timing)).toBe(2500);
    expect(step(pending, { type: 'tick', at: 2600 }).outputs).toEqual([
      { type: 'end-of-turn', trigger: 'timeout', at: 2500, text: 'A table for' },
    ]);
    expect(step(silent, { type: 'tick', at: 2500 }).outputs).toEqual([
      { type: 'end-of-turn', trigger: 'timeout', at: 2500, text: undefined },
    ]);
  });

  it('no deadline while speaking or after the end', () => {
    expect(endOfTurnDeadline(speaking, semantic.timing)).toBeUndefined();
    expect(endOfTurnDeadline(ended, semantic.timing)).toBeUndefined();
  });

  it('a speculation that comes after the minimum silence ends the turn at once', () => {
    expect(step(silent, { type: 'speculation', at: 1400, text: 'Hi.' }).outputs).toEqual([
      { type: 'eager-end-of-turn', text: 'Hi.', judgement: complete },
      { type: 'end-of-turn', trigger: 'model', at: 1250, text: 'Hi.' },
    ]);
  });

  it('an incomplete speculation after the maximum ends it by timeout, with no eager end', () => {
    expect(step(silent, { type: 'speculation', at: 2600, text: 'A table for' }).outputs).toEqual([
      { type: 'end-of-turn', trigger: 'timeout', at: 2500, text: undefined },
    ]);
  });

  it('speech that resumes after a passed deadline comes too late: the turn had ended', () => {
    expect(step(eager, { type: 'speech-resumed', at: 1300 })).toEqual({
      state: { phase: 'ended', trigger: 'model', at: 1250 },
      outputs: [{ type: 'end-of-turn', trigger: 'model', at: 1250, text: 'Hi.' }],
    });
    expect(step(pending, { type: 'force-end', at: 3000 }).outputs).toEqual([
      { type: 'end-of-turn', trigger: 'timeout', at: 2500, text: 'A table for' },
    ]);
  });
});

describe('end of turn: silence mode', () => {
  it('any text is eager, and the turn ends at the fixed threshold by timeout', () => {
    const spoken = step(silent, { type: 'speculation', at: 1200, text: 'A table for' }, silence);
    expect(spoken.outputs).toEqual([
      {
        type: 'eager-end-of-turn',
        text: 'A table for',
        judgement: { verdict: 'incomplete', reason: 'no-terminal-punctuation' },
      },
    ]);
    expect(endOfTurnDeadline(spoken.state, silence.timing)).toBe(1600);
    expect(step(spoken.state, { type: 'tick', at: 1600 }, silence).outputs).toEqual([
      { type: 'end-of-turn', trigger: 'timeout', at: 1600, text: 'A table for' },
    ]);
  });

  it('empty text is not announced', () => {
    expect(step(silent, { type: 'speculation', at: 1200, text: '  ' }, silence)).toMatchObject({
      state: { phase: 'pending' },
      outputs: [],
    });
  });

  it('a complete turn still waits for the threshold', () => {
    expect(endOfTurnDeadline(eager, silence.timing)).toBe(1600);
  });
});

describe('end of turn: scenarios', () => {
  const run = (inputs: EndOfTurnInput[], context = semantic) => {
    let state = INITIAL_END_OF_TURN_STATE;
    const outputs: unknown[] = [];
    for (const input of inputs) {
      const result = stepEndOfTurn(state, input, context);
      state = result.state;
      outputs.push(...result.outputs);
    }
    return { state, outputs };
  };

  it('an inner pause after "for" does not end the turn; the whole sentence does', () => {
    const { outputs } = run([
      { type: 'silence-started', at: 1000 },
      { type: 'speculation', at: 1250, text: "I'd like a table for" },
      { type: 'tick', at: 1800 },
      { type: 'speech-resumed', at: 1900 },
      { type: 'silence-started', at: 2600 },
      { type: 'speculation', at: 2830, text: "I'd like a table for four." },
      { type: 'tick', at: 2850 },
    ]);
    expect(outputs).toEqual([
      { type: 'eager-end-of-turn', text: "I'd like a table for four.", judgement: complete },
      { type: 'end-of-turn', trigger: 'model', at: 2850, text: "I'd like a table for four." },
    ]);
  });

  it('an eager end that speech cancels says turn-resumed, then ends later', () => {
    const { outputs } = run([
      { type: 'silence-started', at: 1000 },
      { type: 'speculation', at: 1200, text: 'Okay.' },
      { type: 'speech-resumed', at: 1240 },
      { type: 'silence-started', at: 2000 },
      { type: 'speculation', at: 2200, text: 'Okay. And one more.' },
      { type: 'tick', at: 2300 },
    ]);
    expect(outputs.map((output) => (output as { type: string }).type)).toEqual([
      'eager-end-of-turn',
      'turn-resumed',
      'eager-end-of-turn',
      'end-of-turn',
    ]);
  });

  it('the language of the speculation wins over the session language', () => {
    const { outputs } = run([
      { type: 'silence-started', at: 1000 },
      { type: 'speculation', at: 1200, text: 'Una mesa para.', language: 'es' },
      { type: 'tick', at: 1300 },
    ]);
    expect(outputs).toEqual([]);
  });
});
