import { FluxControlError, parseFluxControl } from './flux-client-messages';

const failure = (text: string): FluxControlError => {
  try {
    parseFluxControl(text);
  } catch (error) {
    if (error instanceof FluxControlError) return error;
    throw error;
  }
  throw new Error(`${text} parsed`);
};

describe('parseFluxControl', () => {
  it('ForceEndTurn and CloseStream', () => {
    expect(parseFluxControl('{"type":"ForceEndTurn"}')).toEqual({ type: 'ForceEndTurn' });
    expect(parseFluxControl('{"type":"CloseStream","extra":1}')).toEqual({ type: 'CloseStream' });
  });

  it('Configure with every field', () => {
    expect(
      parseFluxControl(
        JSON.stringify({
          type: 'Configure',
          thresholds: { eot_threshold: 0.8, eager_eot_threshold: 0.4, eot_timeout_ms: 2000 },
          keyterms: [' Flux ', '', 'turn'],
          language_hints: ['es', 'fr'],
          numerals: true,
        }),
      ),
    ).toEqual({
      type: 'Configure',
      thresholds: { eotThreshold: 0.8, eagerEotThreshold: 0.4, eotTimeoutMs: 2000 },
      keyterms: ['Flux', 'turn'],
      languageHints: ['es', 'fr'],
      numerals: true,
    });
  });

  it('Configure with nothing, one threshold, or one keyterm as a string', () => {
    expect(parseFluxControl('{"type":"Configure"}')).toEqual({ type: 'Configure', thresholds: {} });
    expect(parseFluxControl('{"type":"Configure","thresholds":{"eot_timeout_ms":"900"}}')).toEqual({
      type: 'Configure',
      thresholds: { eotTimeoutMs: 900 },
    });
    expect(parseFluxControl('{"type":"Configure","keyterms":"Flux"}')).toEqual({
      type: 'Configure',
      thresholds: {},
      keyterms: ['Flux'],
    });
  });

  it.each([
    ['not json', /text frames must be JSON/],
    ['[1]', /unknown message type undefined/],
    [
      '{"type":"Finalize"}',
      /unknown message type "Finalize": use Configure, ForceEndTurn, CloseStream/,
    ],
    ['{"type":"KeepAlive"}', /unknown message type "KeepAlive"/],
  ])('%j is unparsable', (text, message) => {
    const error = failure(text);
    expect(error.code).toBe('UNPARSABLE_CLIENT_MESSAGE');
    expect(error.message).toMatch(message);
  });

  it.each([
    ['{"type":"Configure","thresholds":5}', /Configure.thresholds must be an object/],
    [
      '{"type":"Configure","thresholds":{"eot_threshold":0.2}}',
      /eot_threshold must be a number from 0.5 to 1, not 0.2/,
    ],
    [
      '{"type":"Configure","thresholds":{"eager_eot_threshold":1}}',
      /eager_eot_threshold must be a number from 0.3 to 0.9/,
    ],
    [
      '{"type":"Configure","thresholds":{"eot_timeout_ms":100}}',
      /eot_timeout_ms must be an integer from 500 to 60000/,
    ],
    [
      '{"type":"Configure","keyterms":[1]}',
      /Configure.keyterms must be a string or an array of strings/,
    ],
    [
      '{"type":"Configure","language_hints":"es"}',
      /Configure.language_hints must be an array of strings/,
    ],
    ['{"type":"Configure","numerals":"yes"}', /Configure.numerals must be true or false/],
  ])('%j is an invalid Configure (answered with ConfigureFailure)', (text, message) => {
    const error = failure(text);
    expect(error.code).toBe('INVALID_CONFIGURE');
    expect(error.message).toMatch(message);
  });
});
