import {
  configFrame,
  describeClose,
  describeError,
  parseServerFrame,
  realtimeTranslation,
} from './protocol';

describe('parseServerFrame', () => {
  it('parses every server frame type', () => {
    const session = parseServerFrame(
      JSON.stringify({
        type: 'session',
        sessionId: 's1',
        resumeToken: 'r',
        config: { source: 'en' },
      }),
    );
    expect(session).toEqual({
      ok: true,
      frame: { type: 'session', sessionId: 's1', resumeToken: 'r', config: { source: 'en' } },
    });
    const final = parseServerFrame(
      JSON.stringify({ type: 'final', utteranceId: 'u', seq: 1, text: 'Hi', language: 'en' }),
    );
    expect(final.ok && final.frame.type === 'final' && final.frame.start).toBe(0);
    expect(parseServerFrame('{"type":"closed"}')).toEqual({ ok: true, frame: { type: 'closed' } });
    expect(parseServerFrame('{"type":"error","code":"overloaded","message":"busy"}')).toEqual({
      ok: true,
      frame: { type: 'error', code: 'overloaded', message: 'busy' },
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
    expect(JSON.parse(configFrame({ interim: false }))).toEqual({ type: 'config', interim: false });
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
    expect(describeClose(4001, 'unsupported sample rate 7000')).toBe(
      'The server rejected the stream. (unsupported sample rate 7000)',
    );
  });
});
