import { ProtocolError } from '../gateway/protocol/protocol-error';
import { ROOM_ID } from './room-tokens';

/** What a speaker connection asks of rooms (query `room=...` or a config frame's `room`). */
export interface RoomRequest {
  /** Publish this session as a new room. */
  create: boolean;
  /** Speak in an existing room (with its `key`). */
  id?: string;
  key?: string;
  speaker?: string;
  passcode?: string;
  interims?: boolean;
}

const LABEL = /^[\p{L}\p{N} ._'()-]{1,40}$/u;

function bad(message: string): ProtocolError {
  return new ProtocolError('invalid_room', message);
}

function optionalString(value: unknown, name: string, max: number): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || value.length > max) {
    throw bad(`${name} must be a string of at most ${max} characters`);
  }
  return value;
}

function optionalBoolean(value: unknown, name: string): boolean | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (value === true || value === 'true' || value === '1') return true;
  if (value === false || value === 'false' || value === '0') return false;
  throw bad(`${name} must be true or false`);
}

function build(fields: {
  room: unknown;
  key: unknown;
  speaker: unknown;
  passcode: unknown;
  interims: unknown;
}): RoomRequest | undefined {
  const { room } = fields;
  if (room === undefined || room === null || room === '' || room === false || room === 'false') {
    return undefined;
  }
  const create = room === true || room === 'true' || room === 'new';
  const id = create ? undefined : optionalString(room, 'room', 64);
  if (id !== undefined && !ROOM_ID.test(id)) throw bad('room must be "new" or a room id');
  const key = optionalString(fields.key, 'room_key', 128);
  if (id !== undefined && key === undefined)
    throw bad('joining a room as a speaker needs room_key');
  const speaker = optionalString(fields.speaker, 'speaker', 40);
  if (speaker !== undefined && !LABEL.test(speaker)) {
    throw bad("speaker must be 1-40 letters, digits, spaces or ._'()-");
  }
  const passcode = optionalString(fields.passcode, 'room_passcode', 64);
  if (passcode !== undefined && passcode.length < 4) throw bad('room_passcode needs 4+ characters');
  return {
    create,
    id,
    key,
    speaker,
    passcode,
    interims: optionalBoolean(fields.interims, 'room_interims'),
  };
}

/** `?room=new&speaker=Ana&room_passcode=1234&room_interims=true` or `?room=<id>&room_key=...`. */
export function roomRequestFromQuery(params: URLSearchParams): RoomRequest | undefined {
  return build({
    room: params.get('room') ?? undefined,
    key: params.get('room_key') ?? undefined,
    speaker: params.get('speaker') ?? undefined,
    passcode: params.get('room_passcode') ?? undefined,
    interims: params.get('room_interims') ?? undefined,
  });
}

/**
 * A config frame's `room`: `true`/`"new"`, a room id, or
 * `{"create":true,"passcode":"1234","speaker":"Ana","interims":true}` / `{"id":..,"key":..}`.
 */
export function roomRequestFromConfig(value: unknown): RoomRequest | undefined {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    const known = ['create', 'id', 'key', 'speaker', 'passcode', 'interims'];
    const unknown = Object.keys(o).filter((k) => !known.includes(k));
    if (unknown.length > 0) throw bad(`unknown room field(s): ${unknown.join(', ')}`);
    return build({
      room: o.id ?? (o.create === true ? 'new' : undefined),
      key: o.key,
      speaker: o.speaker,
      passcode: o.passcode,
      interims: o.interims,
    });
  }
  return build({
    room: value,
    key: undefined,
    speaker: undefined,
    passcode: undefined,
    interims: undefined,
  });
}
