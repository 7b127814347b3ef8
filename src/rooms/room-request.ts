import { firstMessage, z } from '../common/validation/schema-parse';
import { ProtocolError } from '../contracts/protocol-error';
import { MIN_PASSCODE_LENGTH } from './room-bodies';
import { ROOM_ID } from './room-tokens';

const LABEL = /^[\p{L}\p{N} ._'()-]{1,40}$/u;
const NEW_ROOM = 'new';

const isBlank = (value: unknown): boolean => value === undefined || value === null || value === '';

/** A blank field (absent, null or '') is no field. */
const blankAsAbsent = (value: unknown): unknown => (isBlank(value) ? undefined : value);

function optionalText(name: string, max: number) {
  const message = `${name} must be a string of at most ${max} characters`;
  return z.preprocess(blankAsAbsent, z.string({ error: message }).max(max, message).optional());
}

function optionalFlag(name: string) {
  const flag = (value: unknown): unknown => {
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    return blankAsAbsent(value);
  };
  return z.preprocess(flag, z.boolean({ error: `${name} must be true or false` }).optional());
}

/** The fields of a room request, named as the query names them. */
const roomFieldsSchema = z
  .object({
    /** `"new"` (or true) publishes this session as a new room; a room id speaks in that room. */
    room: z.preprocess(
      (value) => (value === true || value === 'true' ? NEW_ROOM : value),
      optionalText('room', 64).refine(
        (room) => room === undefined || room === NEW_ROOM || ROOM_ID.test(room),
        'room must be "new" or a room id',
      ),
    ),
    room_key: optionalText('room_key', 128),
    speaker: optionalText('speaker', 40).refine(
      (speaker) => speaker === undefined || LABEL.test(speaker),
      "speaker must be 1-40 letters, digits, spaces or ._'()-",
    ),
    room_passcode: optionalText('room_passcode', 64).refine(
      (passcode) => passcode === undefined || passcode.length >= MIN_PASSCODE_LENGTH,
      `room_passcode needs ${MIN_PASSCODE_LENGTH}+ characters`,
    ),
    room_interims: optionalFlag('room_interims'),
  })
  .refine((fields) => fields.room === NEW_ROOM || fields.room_key !== undefined, {
    path: ['room_key'],
    message: 'joining a room as a speaker needs room_key',
  })
  .transform((fields) => {
    const create = fields.room === NEW_ROOM;
    return {
      /** Publish this session as a new room. */
      create,
      /** Speak in an existing room (with its `key`). */
      id: create ? undefined : fields.room,
      key: fields.room_key,
      speaker: fields.speaker,
      passcode: fields.room_passcode,
      interims: fields.room_interims,
    };
  });

/** No room asked for (`room` blank or false): nothing else is read. */
const roomRequestSchema = z.preprocess((fields) => {
  const room = (fields as { room?: unknown }).room;
  return isBlank(room) || room === false || room === 'false' ? undefined : fields;
}, roomFieldsSchema.optional());

/** What a speaker connection asks of rooms (query `room=...` or a config frame's `room`). */
export type RoomRequest = z.output<typeof roomFieldsSchema>;

const isPlainObject = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A config frame's `room`, as the query's fields; a bare value is the room itself. */
const configRoomSchema = z.preprocess(
  (value) => (isPlainObject(value) ? value : { id: value }),
  z
    .strictObject(
      {
        create: z.unknown().optional(),
        id: z.unknown().optional(),
        key: z.unknown().optional(),
        speaker: z.unknown().optional(),
        passcode: z.unknown().optional(),
        interims: z.unknown().optional(),
      },
      {
        error: (issue) =>
          issue.code === 'unrecognized_keys'
            ? `unknown room field(s): ${issue.keys.join(', ')}`
            : undefined,
      },
    )
    .transform((o) => ({
      room: o.id ?? (o.create === true ? NEW_ROOM : undefined),
      room_key: o.key,
      speaker: o.speaker,
      room_passcode: o.passcode,
      room_interims: o.interims,
    })),
);

function parseRoomRequest(schema: z.ZodType<unknown>, value: unknown): RoomRequest | undefined {
  const result = schema.pipe(roomRequestSchema).safeParse(value);
  if (!result.success) throw new ProtocolError('invalid_room', firstMessage(result.error));
  return result.data;
}

const queryRoomSchema = z
  .instanceof(URLSearchParams)
  .transform((params) =>
    Object.fromEntries([...params.keys()].map((name) => [name, params.get(name)])),
  );

/**
 * `?room=new&speaker=Ana&room_interims=true`. A room key (it lets its holder speak and end the
 * room) and a passcode are secrets: URLs end up in proxy logs and browser history, so they come
 * only in a config frame.
 */
export function roomRequestFromQuery(params: URLSearchParams): RoomRequest | undefined {
  if (params.has('room_key') || params.has('room_passcode')) {
    throw new ProtocolError(
      'invalid_room',
      'room_key and room_passcode are not accepted in the URL: send them in a config frame ({"type":"config","room":{...}})',
    );
  }
  return parseRoomRequest(queryRoomSchema, params);
}

/**
 * A config frame's `room`: `true`/`"new"`, a room id, or
 * `{"create":true,"passcode":"1234","speaker":"Ana","interims":true}` / `{"id":..,"key":..}`.
 */
export function roomRequestFromConfig(value: unknown): RoomRequest | undefined {
  return parseRoomRequest(configRoomSchema, value);
}
