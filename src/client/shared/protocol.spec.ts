import {
  configFrame,
  describeClose,
  describeError,
  parseServerFrame,
  typableInterim,
} from './protocol';

describe('parseServerFrame', () => {
  it('hands every server frame type on under its wire field names', () => {
    const session = {
      type: 'session',
      session_id: 's1',
      resume_token: 'r',
      resumed: true,
      last_seq: 2,
      config: { source: 'en' },
    };
    expect(parseServerFrame(JSON.stringify(session))).toEqual({ ok: true, frame: session });
    const final = {
      type: 'final',
      id: '3-0',
      seq: 1,
      utterance_id: 'u',
      text: 'Hi',
      translation: '',
      language: 'en',
      start: 0.02,
      end: 1.5,
      speech_start: 0.3,
      speech_end: 1.3,
      words: [{ word: 'Hi', start: 0.3, end: 0.6 }],
      latency: { queueMs: 3, sttMs: 120, totalMs: 400 },
      worker: 'w1',
    };
    expect(parseServerFrame(JSON.stringify(final))).toEqual({ ok: true, frame: final });
    const translation = {
      type: 'translation',
      id: '4-0',
      seq: 1,
      utterance_id: 'u',
      language: 'es',
      text: 'Hola',
      source: 'en',
      engine: 'marian',
    };
    expect(parseServerFrame(JSON.stringify(translation))).toEqual({
      ok: true,
      frame: translation,
    });
    const room = {
      type: 'room',
      room_id: 'r1',
      code: 'ABCD',
      join_url: 'https://x/room/r1',
      qr_svg: '<svg/>',
      room_key: 'rsk_1',
      speaker: 'Ann',
      passcode: false,
      status: 'live',
      listeners: { es: 2 },
      languages: ['es'],
    };
    expect(parseServerFrame(JSON.stringify(room))).toEqual({ ok: true, frame: room });
    expect(parseServerFrame('{"type":"closed","last_seq":4}')).toEqual({
      ok: true,
      frame: { type: 'closed', last_seq: 4 },
    });
    expect(parseServerFrame('{"type":"error","code":"overloaded","message":"busy"}')).toEqual({
      ok: true,
      frame: { type: 'error', code: 'overloaded', message: 'busy' },
    });
  });

  it('fills in what older servers and room streams leave out', () => {
    expect(parseServerFrame('{"type":"session","session_id":"s1","resume_token":"r"}')).toEqual({
      ok: true,
      frame: {
        type: 'session',
        session_id: 's1',
        resume_token: 'r',
        resumed: false,
        last_seq: 0,
        config: {},
      },
    });
    expect(parseServerFrame('{"type":"final","seq":1,"utterance_id":"u","text":"Hi"}')).toEqual({
      ok: true,
      frame: {
        type: 'final',
        seq: 1,
        utterance_id: 'u',
        text: 'Hi',
        translation: '',
        language: '',
        start: 0,
        end: 0,
      },
    });
    expect(parseServerFrame('{"type":"realtime","text":"and so","committed":7}')).toEqual({
      ok: true,
      frame: { type: 'realtime', utterance_id: '', text: 'and so', translation: '', language: '' },
    });
    expect(parseServerFrame('{"type":"closed"}')).toEqual({
      ok: true,
      frame: { type: 'closed', last_seq: 0 },
    });
    expect(parseServerFrame('{"type":"warning","message":"slow"}')).toEqual({
      ok: true,
      frame: { type: 'warning', code: '', message: 'slow' },
    });
    expect(parseServerFrame('{"type":"error"}')).toEqual({
      ok: true,
      frame: { type: 'error', code: 'unknown', message: '' },
    });
    expect(
      parseServerFrame(
        '{"type":"room","room_id":"r1","code":"C","join_url":"u","listeners":{"es":1,"x":"2"}}',
      ),
    ).toEqual({
      ok: true,
      frame: {
        type: 'room',
        room_id: 'r1',
        code: 'C',
        join_url: 'u',
        qr_svg: '',
        speaker: '',
        passcode: false,
        status: 'live',
        listeners: { es: 1 },
        languages: [],
      },
    });
  });

  it("reads a room stream's frames too (the subtitles overlay follows rooms with it)", () => {
    const final = parseServerFrame(
      '{"type":"final","speaker":"Ann","utterance_id":"s:1","text":"Hi","language":"en",' +
        '"start":0,"end":1,"id":"7-0","seq":1}',
    );
    expect(final).toEqual({ ok: true, frame: expect.objectContaining({ id: '7-0', seq: 1 }) });
    expect(final.ok && final.frame.type === 'final' && final.frame.worker).toBeUndefined();
    const interim = parseServerFrame(
      '{"type":"realtime","speaker":"Ann","utterance_id":"s:2","text":"and","language":"en",' +
        '"translations":{"es":"y"}}',
    );
    expect(interim).toEqual({
      ok: true,
      frame: expect.objectContaining({ utterance_id: 's:2', text: 'and', translation: '' }),
    });
  });

  it.each([
    ['nope', 'not JSON'],
    ['[1]', 'no type field'],
    ['{"type":"final","text":"x","utterance_id":"u"}', 'final frame without seq'],
    // The camelCase spellings: no server has sent them.
    ['{"type":"session","sessionId":"s1","resumeToken":"r"}', 'session frame without session_id'],
    ['{"type":"translation","text":"x","language":"es"}', 'translation frame without utterance_id'],
    ['{"type":"room","room_id":"r1","code":"C"}', 'room frame without room_id, code or join_url'],
    ['{"type":"bogus"}', 'unknown frame type "bogus"'],
  ])('reports what is wrong with %s instead of throwing', (data, reason) => {
    expect(parseServerFrame(data)).toEqual({ ok: false, reason });
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
    const older = parseServerFrame('{"type":"realtime","text":"and so my"}');
    expect(older.ok && older.frame.type === 'realtime' && typableInterim(older.frame)).toBe(
      'and so my',
    );
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
