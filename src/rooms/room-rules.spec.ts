import { ListenerFrameSchema, parseListenerQuery } from './listener-request';
import { roomRequestFromConfig, roomRequestFromQuery } from './room-request';
import { roomTargets } from './room-speaker';
import { toRoomWrite } from './speaker-caption';
import {
  issueListenerToken,
  JOIN_CODE,
  newJoinCode,
  newRoomId,
  normalizeCode,
  verifyListenerToken,
} from './room-tokens';

describe('room tokens', () => {
  const room = newRoomId();
  const other = newRoomId();

  it('verifies for its room only, with its secret, until expiry', () => {
    const token = issueListenerToken(room, 'secret-a', 2_000_000_000);
    expect(verifyListenerToken(token, room, 'secret-a', 1_000)).toBe('ok');
    expect(verifyListenerToken(token, other, 'secret-a', 1_000)).toBe('other_room');
    expect(verifyListenerToken(token, room, 'secret-b', 1_000)).toBe('bad_signature');
    expect(verifyListenerToken(token, room, 'secret-a', 3_000_000_000)).toBe('expired');
    expect(verifyListenerToken('rtk_abc', room, 'secret-a')).toBe('malformed');
  });

  it('makes readable join codes and accepts them typed loosely', () => {
    for (let i = 0; i < 50; i++) expect(newJoinCode()).toMatch(JOIN_CODE);
    expect(normalizeCode('abc-def')).toBe('ABCDEF');
  });
});

describe('room requests', () => {
  it('reads the query and config forms', () => {
    expect(roomRequestFromQuery(new URLSearchParams(''))).toBeUndefined();
    expect(roomRequestFromQuery(new URLSearchParams('room=new&speaker=Ana'))).toEqual({
      create: true,
      id: undefined,
      key: undefined,
      speaker: 'Ana',
      passcode: undefined,
      interims: undefined,
    });
    // Secrets never come in a URL (issue 24 item 9): a config frame carries them.
    for (const query of ['room=new&room_passcode=123456', `room=${newRoomId()}&room_key=rsk_x`]) {
      expect(() => roomRequestFromQuery(new URLSearchParams(query))).toThrow(/config frame/);
    }
    expect(roomRequestFromConfig({ create: true, passcode: '123456' })).toMatchObject({
      passcode: '123456',
    });
    expect(roomRequestFromConfig({ create: true, interims: false })).toMatchObject({
      create: true,
      interims: false,
    });
    expect(() => roomRequestFromConfig({ nope: 1 })).toThrow(/unknown room field/);
    expect(() => roomRequestFromQuery(new URLSearchParams(`room=${newRoomId()}`))).toThrow(
      /room_key/,
    );
    expect(() => roomRequestFromQuery(new URLSearchParams('room=new&speaker=<script>'))).toThrow(
      /speaker/,
    );
  });
});

describe('room languages', () => {
  it('adds every listener language except the spoken one to the speaker targets', () => {
    expect(roomTargets(['de'], ['ca', 'en', 'es'], 'en')).toEqual(['de', 'ca', 'es']);
    expect(roomTargets([], [], 'en')).toEqual([]);
  });

  it('parses listener languages and positions', () => {
    expect(parseListenerQuery({})).toEqual({ language: 'original', last_id: '0' });
    expect(parseListenerQuery({ language: 'pt-BR', last_id: '17-3' })).toEqual({
      language: 'pt',
      last_id: '17-3',
    });
    expect(() => parseListenerQuery({ language: '../x' })).toThrow(
      expect.objectContaining({ status: 400, code: 'invalid_language' }),
    );
    expect(() => parseListenerQuery({ last_id: 'x' })).toThrow(
      expect.objectContaining({ status: 400, code: 'invalid_resume' }),
    );
    expect(ListenerFrameSchema.safeParse('{"type":"keepalive"}').success).toBe(true);
    expect(ListenerFrameSchema.safeParse('{"type":"config"}').success).toBe(false);
    expect(ListenerFrameSchema.safeParse('nope').success).toBe(false);
  });
});

describe('room entries', () => {
  it('copies finals with text and final translations, nothing else', () => {
    const final = toRoomWrite('s', 'Ana', {
      kind: 'delivered',
      stored: {
        id: '1-0',
        message: {
          type: 'final',
          utteranceId: 's:1',
          index: 1,
          text: 'Hi.',
          language: 'en',
          start: 0,
          end: 1,
          words: [],
          latency: { queueMs: 0, sttMs: 0 },
          worker: 'w',
        },
      },
    });
    expect(final).toMatchObject({
      kind: 'stored',
      dedupe: 'f:s:1',
      seqField: 's:1',
      frame: { type: 'final', speaker: 'Ana' },
    });
    expect(
      toRoomWrite('s', 'Ana', {
        kind: 'delivered',
        stored: {
          id: '1-1',
          message: {
            type: 'translation',
            utteranceId: 's:1',
            index: 1,
            kind: 'interim',
            language: 'es',
            source: 'en',
            text: 'Ho',
            passthrough: false,
            engine: 'e',
            latencyMs: 0,
          },
        },
      }),
    ).toBeUndefined();
  });

  it('publishes interims live with the translation under its language, not a final echo', () => {
    const frame = {
      type: 'realtime' as const,
      utterance_id: 's:2',
      text: 'the house',
      translation: 'la casa',
      language: 'en',
    };
    expect(toRoomWrite('s', 'Ana', { kind: 'interim', frame, translationLanguage: 'es' })).toEqual({
      kind: 'live',
      frame: {
        type: 'realtime',
        speaker: 'Ana',
        utterance_id: 's:2',
        text: 'the house',
        language: 'en',
        translations: { es: 'la casa' },
      },
    });
    expect(toRoomWrite('s', 'Ana', { kind: 'interim', frame })).toMatchObject({
      frame: { translations: undefined },
    });
    const echo = { kind: 'interim' as const, frame: { ...frame, final: true as const } };
    expect(toRoomWrite('s', 'Ana', echo)).toBeUndefined();
  });
});
