import { FluxOptionsError, parseFluxOptions } from './flux-options';

const parse = (query: string) => parseFluxOptions(new URLSearchParams(query));
const AUDIO = 'encoding=linear16&sample_rate=16000';

describe('parseFluxOptions', () => {
  it('reads what the listen.v2 client sends', () => {
    expect(
      parse(
        'model=flux-general-multi&encoding=mulaw&sample_rate=8000&eot_threshold=0.8' +
          '&eager_eot_threshold=0.5&eot_timeout_ms=3000&keyterm=Deepgram&keyterm=customer%20service' +
          '&language_hint=es&language_hint=pt-BR&numerals=true&tag=a',
      ),
    ).toEqual({
      model: 'flux-general-multi',
      encoding: 'mulaw',
      sampleRate: 8000,
      eotThreshold: 0.8,
      eagerEotThreshold: 0.5,
      eotTimeoutMs: 3000,
      keyterms: ['Deepgram', 'customer service'],
      languageHints: ['es', 'pt'],
    });
  });

  it("defaults are Deepgram's: eot_threshold 0.7, eot_timeout_ms 5000, no eager events", () => {
    expect(parse(`model=flux-general-en&${AUDIO}`)).toEqual({
      model: 'flux-general-en',
      encoding: 'linear16',
      sampleRate: 16000,
      eotThreshold: 0.7,
      eagerEotThreshold: undefined,
      eotTimeoutMs: 5000,
      keyterms: [],
      languageHints: [],
    });
  });

  it.each([
    ['model', `${AUDIO}`, /model is required: flux-general-en or flux-general-multi/],
    ['model', `model=nova-3&${AUDIO}`, /model "nova-3" is not a Flux model: .*\/v1\/listen/],
    [
      'encoding',
      'model=flux-general-en&sample_rate=16000',
      /encoding is required: linear16, mulaw, alaw/,
    ],
    [
      'encoding',
      'model=flux-general-en&encoding=opus&sample_rate=16000',
      /encoding "opus" is not supported/,
    ],
    [
      'sample_rate',
      'model=flux-general-en&encoding=linear16',
      /sample_rate is required with encoding=linear16/,
    ],
    [
      'sample_rate',
      'model=flux-general-en&encoding=linear16&sample_rate=16001',
      /sample_rate must be one of 8000, .*, not "16001"/,
    ],
  ])('%s: refuses %j', (_name, query, message) => {
    expect(() => parse(query)).toThrow(FluxOptionsError);
    expect(() => parse(query)).toThrow(message);
  });

  it.each([
    ['eot_threshold=0.4', /eot_threshold must be a number from 0.5 to 1, not "0.4"/],
    ['eot_threshold=1.01', /eot_threshold must be a number from 0.5 to 1/],
    ['eot_threshold=high', /eot_threshold must be a number from 0.5 to 1, not "high"/],
    ['eager_eot_threshold=0.2', /eager_eot_threshold must be a number from 0.3 to 0.9, not "0.2"/],
    ['eager_eot_threshold=0.95', /eager_eot_threshold must be a number from 0.3 to 0.9/],
    ['eot_timeout_ms=499', /eot_timeout_ms must be an integer from 500 to 60000, not "499"/],
    ['eot_timeout_ms=60001', /eot_timeout_ms must be an integer from 500 to 60000/],
    ['eot_timeout_ms=1000.5', /eot_timeout_ms must be an integer/],
  ])('refuses %j by name and range', (option, message) => {
    expect(() => parse(`model=flux-general-en&${AUDIO}&${option}`)).toThrow(message);
  });

  it('accepts the bounds of every range', () => {
    const options = parse(
      `model=flux-general-en&${AUDIO}&eot_threshold=1&eager_eot_threshold=0.3&eot_timeout_ms=60000`,
    );
    expect(options).toMatchObject({ eotThreshold: 1, eagerEotThreshold: 0.3, eotTimeoutMs: 60000 });
    expect(
      parse(`model=flux-general-en&${AUDIO}&eot_threshold=0.5&eot_timeout_ms=500`),
    ).toMatchObject({ eotThreshold: 0.5, eotTimeoutMs: 500 });
  });

  it('keyterm: repeatable, trimmed, blanks dropped, bounded', () => {
    expect(
      parse(`model=flux-general-en&${AUDIO}&keyterm=%20a%20&keyterm=&keyterm=b`).keyterms,
    ).toEqual(['a', 'b']);
    const many = Array.from({ length: 101 }, (_, i) => `keyterm=t${i}`).join('&');
    expect(() => parse(`model=flux-general-en&${AUDIO}&${many}`)).toThrow(
      /at most 100 keyterms, not 101/,
    );
    expect(() => parse(`model=flux-general-en&${AUDIO}&keyterm=${'x'.repeat(101)}`)).toThrow(
      /a keyterm has at most 100 characters/,
    );
  });

  it('language_hint: flux-general-multi only, codes, no blanks, no repeats', () => {
    expect(() => parse(`model=flux-general-en&${AUDIO}&language_hint=es`)).toThrow(
      /language_hint is only valid with model=flux-general-multi, not flux-general-en/,
    );
    expect(() => parse(`model=flux-general-multi&${AUDIO}&language_hint=`)).toThrow(
      /language_hint must not be empty/,
    );
    expect(() => parse(`model=flux-general-multi&${AUDIO}&language_hint=spanish`)).toThrow(
      /language_hint "spanish" is not a language code/,
    );
    expect(
      parse(`model=flux-general-multi&${AUDIO}&language_hint=ES&language_hint=es-419`)
        .languageHints,
    ).toEqual(['es']);
  });

  it('names the model first, then the audio, then the turn settings', () => {
    expect(() => parse('eot_threshold=9')).toThrow(/model is required/);
    expect(() => parse('model=flux-general-en&eot_threshold=9')).toThrow(/encoding is required/);
    expect(() => parse(`model=flux-general-en&${AUDIO}&eot_threshold=9&eot_timeout_ms=1`)).toThrow(
      /eot_threshold/,
    );
  });
});
