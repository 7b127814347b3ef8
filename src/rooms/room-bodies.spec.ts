import { parseWith } from '../common/validation/schema-parse';
import { CreateRoomBodySchema, JoinRoomBodySchema } from './room-bodies';
import { newRoomId } from './room-tokens';

describe('room bodies', () => {
  it('reads a create body: interims unless false, a passcode of 6-64 characters', () => {
    expect(parseWith(CreateRoomBodySchema, undefined)).toEqual({
      ok: true,
      value: { interims: true },
    });
    expect(parseWith(CreateRoomBodySchema, { passcode: '123456', interims: false })).toEqual({
      ok: true,
      value: { passcode: '123456', interims: false },
    });
    expect(parseWith(CreateRoomBodySchema, { passcode: 123 })).toEqual({
      ok: false,
      message: 'passcode: passcode must be 6-64 characters',
    });
    expect(parseWith(CreateRoomBodySchema, { passcode: '12345' })).toMatchObject({ ok: false });
  });

  it('reads a join body: the room id first, else the code typed loosely', () => {
    const room = newRoomId();
    expect(JoinRoomBodySchema.parse({ room, code: 'nope', passcode: 5 })).toEqual({
      room,
      passcode: undefined,
    });
    expect(JoinRoomBodySchema.parse({ code: 'abc-def', passcode: 'pw' })).toEqual({
      code: 'ABCDEF',
      passcode: 'pw',
    });
    expect(JoinRoomBodySchema.safeParse({ room: 'r_x' }).error?.issues[0].message).toBe(
      'give the room (id) or its code',
    );
  });
});

describe('join body refusals', () => {
  it.each([[{}], [{ room: 'r_x' }], [{ code: 'ABC' }], [{ room: 3, code: [] }], ['text'], [null]])(
    'refuses %j with one message',
    (body) => {
      expect(JoinRoomBodySchema.safeParse(body).error?.issues[0].message).toBe(
        'give the room (id) or its code',
      );
    },
  );
});
