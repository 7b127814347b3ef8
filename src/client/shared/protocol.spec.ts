import {
  configFrame,
  describeClose,
  describeError,
  parseServerFrame,
  realtimeTranslation,
  typableInterim,
} from './protocol';

describe('parseServerFrame', () => {
  it('parses every server frame type', () => {
    const session = parseServerFrame(
      JSON.stringify({
        type: 'session',
        session_id: 's1',
        resume_token: 'r',
        resumed: true,
        last_seq: 2,
        config: { source: 'en' },
      }),
    );
    expect(session).toEqual({
      ok: true,
      frame: {
        type: 'session',
        sessionId: 's1',
        resumeToken: 'r',
        resumed: true,
        lastSeq: 2,
        config: { source: 'en' },
      },
    });
    const final = parseServerFrame(
      JSON.stringify({
        type: 'final',
        id: '3-0',
        utterance_id: 'u',
        seq: 1,
        text: 'Hi',
        translation: '',
        language: 'en',
        words: [],
        worker: 'w1',
      }),
    );
    expect(final).toEqual({
      ok: true,
      frame: expect.objectContaining({ id: '3-0', utteranceId: 'u', start: 0, worker: 'w1' }),
    });
    const translation = parseServerFrame(
      '{"type":"translation","id":"4-0","seq":1,"utterance_id":"u","language":"es","text":"Hola"}',
    );
    expect(translation).toEqual({
      ok: true,
      frame: {
        type: 'translation',
        id: '4-0',
        seq: 1,
        utteranceId: 'u',
        language: 'es',
        text: 'Hola',
      },
    });
    expect(parseServerFrame('{"type":"closed","last_seq":4}')).toEqual({
      ok: true,
      frame: { type: 'closed', lastSeq: 4 },
    });
    expect(parseServerFrame('{"type":"error","code":"overloaded","message":"busy"}')).toEqual({
      ok: true,
      frame: expect.objectContaining({ type: 'error', code: 'overloaded', message: 'busy' }),
    });
  });

  it('reports what is wrong instead of throwing', () => {
    expect(parseServerFrame('nope')).toEqual({ ok: false, reason: 'not JSON' });
    expect(parseServerFrame('[1]')).toEqual({ ok: false, reason: 'no type field' });
    expect(parseServerFrame('{"type":"final","text":"x","utteranceId":"u"}')).toEqual({
      ok: false,
      reason: 'final frame without seq',
    });
    expect(parseServerFrame('{"type":"bogus"}')).toEqual({
      ok: false,
      reason: 'unknown frame type "bogus"',
    });
  });
});

describe('client frames', () => {
  it('uses the protocol field names and leaves unset options out', () => {
    expect(
      JSON.parse(configFrame({ source: 'auto', targets: ['es', 'de'], sampleRate: 16000 })),
    ).toEqual({ type: 'config', source: 'auto', targets: ['es', 'de'], sample_rate: 16000 });
    expect(JSON.parse(configFrame({ interim: false }))).toEqual({
      type: 'config',
      interim_results: false,
    });
  });
});

describe('typableInterim', () => {
  it('types only the committed part of an interim, or all of it from older servers', () => {
    const parsed = parseServerFrame(
      JSON.stringify({
        type: 'realtime',
        text: 'and so my fellow',
        committed: 'and so',
        tentative: 'my fellow',
      }),
    );
    expect(parsed.ok && parsed.frame).toMatchObject({
      committed: 'and so',
      tentative: 'my fellow',
    });
    expect(parsed.ok && parsed.frame.type === 'realtime' && typableInterim(parsed.frame)).toBe(
      'and so',
    );
    expect(typableInterim({ type: 'realtime', text: 'and so my' })).toBe('and so my');
  });
});

describe('realtimeTranslation', () => {
  it('accepts a string or one string per language', () => {
    expect(realtimeTranslation({ type: 'realtime', text: 'a', translation: 'b' })).toBe('b');
    expect(
      realtimeTranslation({ type: 'realtime', text: 'a', translation: { es: 'x', de: 'y' } }, 'de'),
    ).toBe('y');
    expect(realtimeTranslation({ type: 'realtime', text: 'a' })).toBe('');
  });
});

describe('describeError / describeClose', () => {
  it('puts codes into words', () => {
    expect(describeError('overloaded')).toMatch(/busy/);
    expect(describeError('mystery', 'something odd')).toBe('Something odd');
    expect(describeError('mystery')).toBe('The server reported a problem (mystery).');
    expect(describeClose(1013)).toMatch(/overloaded/);
    expect(describeClose(4999)).toBe('The server rejected the stream.');
    expect(describeClose(4001, 'unsupported sample rate 7000')).toBe(
      'The audio sample rate is not supported. (unsupported sample rate 7000)',
    );
  });
});
