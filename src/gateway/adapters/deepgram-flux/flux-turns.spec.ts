import { type FluxTurnInput, FluxTurns, type FluxTurnSettings } from './flux-turns';

const settings: FluxTurnSettings = { eager: true, multilingual: false, languageHints: [] };

type FinalInput = Extract<FluxTurnInput, { type: 'final' }>;

const final = (index: number, over: Partial<FinalInput> = {}): FinalInput => ({
  type: 'final',
  index,
  text: 'Book a table for four.',
  start: 0.2,
  end: 2.1,
  words: [{ word: ' Book', start: 0.3, end: 0.5, probability: 0.9 }],
  language: 'en',
  fromFinalize: false,
  ...over,
});

const events = (turns: FluxTurns, inputs: FluxTurnInput[]) =>
  inputs.map((input) => turns.step(input)?.event.event);

describe('FluxTurns', () => {
  it('a turn judged complete: StartOfTurn, Update, EagerEndOfTurn, EndOfTurn by model', () => {
    const turns = new FluxTurns(settings);
    const start = turns.step({ type: 'speech-started', atSec: 0.3 });
    expect(start).toEqual({
      event: { event: 'StartOfTurn' },
      turn: {
        turnIndex: 0,
        audioWindowStart: 0.3,
        audioWindowEnd: 0.3,
        transcript: '',
        words: [],
        endOfTurnConfidence: 0,
      },
    });
    const update = turns.step({ type: 'interim', index: 1, text: 'book a', atSec: 1 });
    expect(update?.turn).toMatchObject({ transcript: 'book a', audioWindowEnd: 1 });
    const eager = turns.step({
      type: 'turn',
      frame: { type: 'turn', event: 'eager_end_of_turn', index: 1, text: 'Book a table for four.' },
      atSec: 2.2,
    });
    expect(eager).toMatchObject({
      event: { event: 'EagerEndOfTurn' },
      turn: { transcript: 'Book a table for four.', endOfTurnConfidence: 1, audioWindowEnd: 2.2 },
    });
    expect(
      turns.step({
        type: 'turn',
        frame: { type: 'turn', event: 'end_of_turn', index: 1, trigger: 'model' },
        atSec: 2.4,
      }),
    ).toBeUndefined();
    expect(turns.step(final(1))).toEqual({
      event: { event: 'EndOfTurn', trigger: 'model' },
      turn: {
        turnIndex: 0,
        audioWindowStart: 0.2,
        audioWindowEnd: 2.1,
        transcript: 'Book a table for four.',
        words: [{ word: ' Book', start: 0.3, end: 0.5, probability: 0.9 }],
        endOfTurnConfidence: 1,
      },
    });
  });

  it('sends TurnResumed only after an EagerEndOfTurn; the turn then ends by timeout', () => {
    const turns = new FluxTurns(settings);
    const resumed = { type: 'turn', event: 'turn_resumed', index: 1 } as const;
    expect(
      events(turns, [
        { type: 'speech-started', atSec: 0 },
        { type: 'turn', frame: resumed, atSec: 1 },
        { type: 'turn', frame: { type: 'turn', event: 'eager_end_of_turn', index: 1 }, atSec: 1 },
        { type: 'turn', frame: resumed, atSec: 1.5 },
        { type: 'interim', index: 1, text: 'more', atSec: 2 },
        {
          type: 'turn',
          frame: { type: 'turn', event: 'end_of_turn', index: 1, trigger: 'timeout' },
          atSec: 3,
        },
        final(1),
      ]),
    ).toEqual([
      'StartOfTurn',
      undefined,
      'EagerEndOfTurn',
      'TurnResumed',
      'Update',
      undefined,
      'EndOfTurn',
    ]);
  });

  it('without eager_eot_threshold: no EagerEndOfTurn nor TurnResumed, the trigger is still model', () => {
    const turns = new FluxTurns({ ...settings, eager: false });
    const out = events(turns, [
      { type: 'speech-started', atSec: 0 },
      { type: 'turn', frame: { type: 'turn', event: 'eager_end_of_turn', index: 1 }, atSec: 1 },
      { type: 'turn', frame: { type: 'turn', event: 'turn_resumed', index: 1 }, atSec: 1.1 },
      { type: 'turn', frame: { type: 'turn', event: 'eager_end_of_turn', index: 1 }, atSec: 2 },
      {
        type: 'turn',
        frame: { type: 'turn', event: 'end_of_turn', index: 1, trigger: 'model' },
        atSec: 2,
      },
    ]);
    expect(out).toEqual(['StartOfTurn', undefined, undefined, undefined, undefined]);
    expect(turns.step(final(1))?.event).toEqual({ event: 'EndOfTurn', trigger: 'model' });
  });

  it('numbers turns by utterance; a final without a turn frame is manual after a finalize', () => {
    const turns = new FluxTurns(settings);
    turns.step({ type: 'speech-started', atSec: 0 });
    turns.step(final(1));
    expect(turns.step({ type: 'speech-started', atSec: 3 })?.turn.turnIndex).toBe(1);
    expect(turns.step(final(2, { fromFinalize: true }))).toMatchObject({
      event: { event: 'EndOfTurn', trigger: 'manual' },
      turn: { turnIndex: 1, endOfTurnConfidence: 0 },
    });
    expect(turns.step(final(3))?.event).toEqual({ event: 'EndOfTurn', trigger: 'timeout' });
    expect(turns.step({ type: 'speech-started', atSec: 9 })?.turn.turnIndex).toBe(3);
  });

  it('drops late interims of an ended or lost turn', () => {
    const turns = new FluxTurns(settings);
    turns.step({ type: 'speech-started', atSec: 0 });
    turns.step({ type: 'speech-started', atSec: 3 });
    turns.step(final(1));
    turns.step({ type: 'lost', index: 2 });
    expect(turns.step({ type: 'interim', index: 1, text: 'late', atSec: 4 })).toBeUndefined();
    expect(turns.step({ type: 'interim', index: 2, text: 'late', atSec: 4 })).toBeUndefined();
  });

  it('reports the final language on flux-general-multi and the hints on every event', () => {
    const turns = new FluxTurns({ eager: true, multilingual: true, languageHints: ['es', 'en'] });
    expect(turns.step({ type: 'speech-started', atSec: 0 })?.turn.languagesHinted).toEqual([
      'es',
      'en',
    ]);
    expect(turns.step(final(1, { language: 'es' }))?.turn).toMatchObject({
      languages: ['es'],
      languagesHinted: ['es', 'en'],
    });
  });

  it('sends eager events once a Configure sets eager_eot_threshold', () => {
    const turns = new FluxTurns({ ...settings, eager: false });
    turns.step({ type: 'speech-started', atSec: 0 });
    turns.configure(settings);
    expect(
      turns.step({
        type: 'turn',
        frame: { type: 'turn', event: 'eager_end_of_turn', index: 1 },
        atSec: 1,
      })?.event,
    ).toEqual({ event: 'EagerEndOfTurn' });
  });
});
