import { z } from '../common/validation/schema-parse';
import { JOIN_CODE, normalizeCode, ROOM_ID } from './room-tokens';

/** A body that is no object has none of the fields. */
const asFields = (body: unknown): unknown =>
  typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {};

/** With the per-room lockout, 6 characters (even digits only) leave a guesser nowhere. */
export const MIN_PASSCODE_LENGTH = 6;
const PASSCODE = `passcode must be ${MIN_PASSCODE_LENGTH}-64 characters`;
const ROOM_OR_CODE = 'give the room (id) or its code';

/** POST /v1/rooms: an optional passcode; listeners see interims unless `interims` is false. */
export const CreateRoomBodySchema = z.preprocess(
  asFields,
  z.object({
    passcode: z
      .string({ error: PASSCODE })
      .min(MIN_PASSCODE_LENGTH, PASSCODE)
      .max(64, PASSCODE)
      .optional(),
    interims: z
      .unknown()
      .optional()
      .transform((interims) => interims !== false),
  }),
);

/** A passcode that is no string is no passcode (the room then answers passcode_required). */
const joinPasscode = z
  .unknown()
  .optional()
  .transform((passcode) => (typeof passcode === 'string' ? passcode : undefined));

/** POST /v1/rooms/join: the room id (from the link) or its code (typed loosely), a passcode. */
export const JoinRoomBodySchema = z.preprocess(
  asFields,
  z.union(
    [
      z.object({
        room: z.string({ error: ROOM_OR_CODE }).regex(ROOM_ID, ROOM_OR_CODE),
        passcode: joinPasscode,
      }),
      z.object({
        code: z
          .string({ error: ROOM_OR_CODE })
          .transform(normalizeCode)
          .pipe(z.string().regex(JOIN_CODE, ROOM_OR_CODE)),
        passcode: joinPasscode,
      }),
    ],
    { error: ROOM_OR_CODE },
  ),
);
export type JoinRoomBody = z.output<typeof JoinRoomBodySchema>;
