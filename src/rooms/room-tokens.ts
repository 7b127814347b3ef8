import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Join codes avoid look-alike characters (0/O, 1/I/L) so they can be read out and typed. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const CODE_LENGTH = 6;

/** Room ids are 128-bit random (unguessable: the share link is the credential). */
export const ROOM_ID = /^r_[A-Za-z0-9_-]{22}$/;
export const JOIN_CODE = new RegExp(`^[${CODE_ALPHABET}]{${CODE_LENGTH}}$`);
export const SPEAKER_KEY_PREFIX = 'rsk_';

export function newRoomId(): string {
  return `r_${randomBytes(16).toString('base64url')}`;
}

export function newJoinCode(random: (n: number) => Buffer = randomBytes): string {
  const bytes = random(CODE_LENGTH);
  let code = '';
  for (const byte of bytes.subarray(0, CODE_LENGTH))
    code += CODE_ALPHABET[byte % CODE_ALPHABET.length];
  return code;
}

/** Codes are typed by people: case and separators do not matter. */
export function normalizeCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '');
}

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function newSpeakerKey(): string {
  return `${SPEAKER_KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

function equal(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Passcodes and speaker keys are stored as a salted hash and compared in constant time. */
export function hashSecret(value: string, salt: string): string {
  return createHmac('sha256', salt).update(value).digest('base64url');
}

export function secretMatches(value: string, salt: string, stored: string): boolean {
  return equal(hashSecret(value, salt), stored);
}

/**
 * A listener token: `rlt.<roomId>.<expiry s>.<nonce>.<hmac>`, signed with the room's own secret.
 * It names one room and grants reading it only: the audio endpoint does not know this format
 * (not an API key, not a session JWT), another room's secret does not verify it, and the
 * archive API wants an API key.
 */
export function issueListenerToken(roomId: string, secret: string, expiresAtSec: number): string {
  const body = `rlt.${roomId}.${expiresAtSec}.${randomBytes(9).toString('base64url')}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

export type ListenerTokenCheck = 'ok' | 'malformed' | 'other_room' | 'bad_signature' | 'expired';

/** The room a listener token names (shape check only; verify with the room's secret). */
export function listenerTokenRoom(token: string): string | undefined {
  const parts = token.split('.');
  const [tag, room = ''] = parts;
  return parts.length === 5 && tag === 'rlt' && ROOM_ID.test(room) ? room : undefined;
}

export function verifyListenerToken(
  token: string,
  roomId: string,
  secret: string,
  nowSec = Date.now() / 1000,
): ListenerTokenCheck {
  const parts = token.split('.');
  const [tag, room, expires = '', , signature = ''] = parts;
  if (parts.length !== 5 || tag !== 'rlt' || !/^\d{1,12}$/.test(expires)) return 'malformed';
  if (room !== roomId) return 'other_room';
  const body = parts.slice(0, 4).join('.');
  const expected = createHmac('sha256', secret).update(body).digest('base64url');
  if (!equal(expected, signature)) return 'bad_signature';
  if (Number(expires) < nowSec) return 'expired';
  return 'ok';
}
