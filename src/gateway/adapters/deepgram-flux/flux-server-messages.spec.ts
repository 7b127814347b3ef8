import { type FluxOptions } from './flux-options';
import {
  fluxConfigureFailure,
  fluxConfigureSuccess,
  fluxConnected,
  fluxError,
  type FluxTurn,
  fluxTurnInfo,
} from './flux-server-messages';

const context = { requestId: 'req-1', sequenceId: 4 };
const turn: FluxTurn = {
  turnIndex: 2,
  audioWindowStart: 1.2,
  audioWindowEnd: 2.90041,
  transcript: ' Book a table. ',
  words: [
    { word: ' Book', start: 1.3, end: 1.5, probability: 0.91234 },
    { word: ' ', start: 1.5, end: 1.5 },
    { word: ' a', start: 1.5, end: 1.6 },
    { word: ' table.', start: 1.6, end: 2.1, probability: 1.2 },
  ],
  endOfTurnConfidence: 0.8567,
};
const options: FluxOptions = {
  model: 'flux-general-en',
  encoding: 'linear16',
  sampleRate: 16000,
  eotThreshold: 0.7,
  eagerEotThreshold: undefined,
  eotTimeoutMs: 5000,
  keyterms: ['table'],
  languageHints: [],
};

describe('Flux server messages', () => {
  it('Connected', () => {
    expect(fluxConnected({ requestId: 'req-1', sequenceId: 0 })).toEqual({
      type: 'Connected',
      request_id: 'req-1',
      sequence_id: 0,
    });
  });

  it('TurnInfo: fields, words, rounding, confidence clamped to 0-1', () => {
    expect(fluxTurnInfo({ event: 'Update' }, turn, context)).toEqual({
      type: 'TurnInfo',
      request_id: 'req-1',
      sequence_id: 4,
      event: 'Update',
      turn_index: 2,
      audio_window_start: 1.2,
      audio_window_end: 2.9,
      transcript: 'Book a table.',
      words: [
        { word: 'Book', confidence: 0.912, start: 1.3, end: 1.5 },
        { word: 'a', confidence: 0, start: 1.5, end: 1.6 },
        { word: 'table.', confidence: 1, start: 1.6, end: 2.1 },
      ],
      end_of_turn_confidence: 0.857,
    });
  });

  it.each(['StartOfTurn', 'Update', 'EagerEndOfTurn', 'TurnResumed'] as const)(
    '%s has no trigger',
    (event) => {
      const message = fluxTurnInfo({ event }, turn, context);
      expect(message.event).toBe(event);
      expect(message).not.toHaveProperty('trigger');
    },
  );

  it.each(['model', 'timeout', 'manual'] as const)('EndOfTurn names its trigger: %s', (trigger) => {
    expect(fluxTurnInfo({ event: 'EndOfTurn', trigger }, turn, context)).toMatchObject({
      event: 'EndOfTurn',
      trigger,
    });
  });

  it('languages and languages_hinted only when there are some', () => {
    expect(fluxTurnInfo({ event: 'Update' }, turn, context)).not.toHaveProperty('languages');
    expect(
      fluxTurnInfo(
        { event: 'Update' },
        { ...turn, languages: ['es', 'en'], languagesHinted: ['es'] },
        context,
      ),
    ).toMatchObject({ languages: ['es', 'en'], languages_hinted: ['es'] });
  });

  it('an empty turn (StartOfTurn before any words) and a window that does not run backwards', () => {
    expect(
      fluxTurnInfo(
        { event: 'StartOfTurn' },
        { ...turn, transcript: '', words: [], audioWindowEnd: 1 },
        context,
      ),
    ).toMatchObject({ transcript: '', words: [], audio_window_start: 1.2, audio_window_end: 1.2 });
  });

  it('ConfigureSuccess echoes the settings in force', () => {
    expect(fluxConfigureSuccess(options, context)).toEqual({
      type: 'ConfigureSuccess',
      request_id: 'req-1',
      sequence_id: 4,
      thresholds: { eot_threshold: 0.7, eot_timeout_ms: 5000 },
      keyterms: ['table'],
    });
    expect(
      fluxConfigureSuccess(
        { ...options, model: 'flux-general-multi', eagerEotThreshold: 0.5, languageHints: ['es'] },
        context,
      ),
    ).toMatchObject({
      thresholds: { eot_threshold: 0.7, eager_eot_threshold: 0.5, eot_timeout_ms: 5000 },
      language_hints: ['es'],
    });
  });

  it('ConfigureFailure and Error', () => {
    expect(fluxConfigureFailure(context)).toEqual({
      type: 'ConfigureFailure',
      request_id: 'req-1',
      sequence_id: 4,
    });
    expect(fluxError('UNPARSABLE_CLIENT_MESSAGE', 'text frames must be JSON', context)).toEqual({
      type: 'Error',
      sequence_id: 4,
      code: 'UNPARSABLE_CLIENT_MESSAGE',
      description: 'text frames must be JSON',
    });
  });
});
