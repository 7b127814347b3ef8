import { ListenOptionsError, parseListenOptions } from './listen-options';

const parse = (query: string) => parseListenOptions(new URLSearchParams(query));

describe('parseListenOptions', () => {
  it('reads what a Deepgram SDK sends', () => {
    expect(
      parse(
        'model=nova-3&encoding=linear16&sample_rate=16000&channels=2&language=en-US' +
          '&interim_results=true&endpointing=300&utterance_end_ms=1000&vad_events=true&smart_format=true',
      ),
    ).toEqual({
      encoding: 'linear16',
      sampleRate: 16000,
      channels: 2,
      language: 'en',
      interimResults: true,
      endpointingMs: 300,
      utteranceEndMs: 1000,
      vadEvents: true,
    });
  });

  it('defaults: one channel, detected language, no interims, session endpointing', () => {
    expect(parse('encoding=mulaw&sample_rate=8000')).toEqual({
      encoding: 'mulaw',
      sampleRate: 8000,
      channels: 1,
      language: undefined,
      interimResults: false,
      endpointingMs: undefined,
      utteranceEndMs: undefined,
      vadEvents: false,
    });
    expect(parse('encoding=alaw&sample_rate=8000&language=multi').language).toBeUndefined();
    expect(parse('encoding=alaw&sample_rate=8000&endpointing=false').endpointingMs).toBe(false);
  });

  it.each([
    ['', /encoding is required/],
    ['encoding=opus&sample_rate=16000', /encoding "opus" is not supported/],
    ['encoding=linear16', /sample_rate is required/],
    ['encoding=linear16&sample_rate=1000', /sample_rate must be one of 8000, 11025, .*, 48000/],
    ['encoding=linear16&sample_rate=8001', /sample_rate must be one of .*, not "8001"/],
    ['encoding=linear16&sample_rate=16000&channels=0', /channels must be/],
    [
      'encoding=linear16&sample_rate=16000&interim_results=yes',
      /interim_results must be true or false/,
    ],
    ['encoding=linear16&sample_rate=16000&endpointing=-5', /endpointing must be/],
    ['encoding=linear16&sample_rate=16000&utterance_end_ms=1000', /needs interim_results=true/],
  ])('refuses %j with a message that names the fix', (query, message) => {
    expect(() => parse(query)).toThrow(ListenOptionsError);
    expect(() => parse(query)).toThrow(message);
  });
});

describe('parseListenOptions with several problems', () => {
  it('names the audio format first, then the options in query order of checks', () => {
    expect(() => parse('encoding=linear16&channels=0')).toThrow(
      'sample_rate is required with encoding=linear16',
    );
    expect(() => parse('sample_rate=16000&channels=0')).toThrow(/encoding is required/);
  });

  // Before the schema, the utterance_end_ms rule was checked before channels and vad_events.
  it('checks utterance_end_ms against interim_results after every single option', () => {
    expect(() =>
      parse('encoding=linear16&sample_rate=16000&utterance_end_ms=1000&channels=0'),
    ).toThrow(/channels must be an integer from 1 to 8, not "0"/);
  });
});
