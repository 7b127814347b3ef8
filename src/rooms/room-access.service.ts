import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { firstMessage, z } from '../common/validation/schema-parse';
import { JoinRoomBodySchema } from './room-bodies';
import { JoinOutcome, RoomMeta, RoomStoreService } from './room-store.service';
import { issueListenerToken, listenerTokenRoom, ROOM_ID, verifyListenerToken } from './room-tokens';

/** A refusal with its HTTP status (and WebSocket close code) and a machine-readable code. */
export class RoomAccessError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A body as its schema (room-bodies) reads it, or a 400 RoomAccessError with `code`. */
export function parseRoomBody<S extends z.ZodType>(
  schema: S,
  body: unknown,
  code: string,
): z.output<S> {
  const result = schema.safeParse(body);
  if (!result.success) throw new RoomAccessError(400, code, firstMessage(result.error));
  return result.data;
}

export interface JoinAnswer {
  room_id: string;
  token: string;
  token_type: 'Bearer';
  expires_at: string;
  passcode: boolean;
  speakers: string[];
}

/** Listener language: `original` or an ISO 639 code (`pt-BR` reads as `pt`). */
const META_CACHE_MS = 2000;

/**
 * Who may listen: joining (code or link, passcode, per-address rate limit) issues a read-only
 * listener token for one room; every listener connection verifies it against that room and
 * takes a place under the room's and the key's listener caps.
 */
@Injectable()
export class RoomAccessService {
  private readonly metas = new Map<string, { meta: RoomMeta; at: number }>();

  constructor(
    private readonly store: RoomStoreService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A join body (JoinRoomBodySchema), checked once the attempt is counted. */
  async join(body: unknown, address: string): Promise<JoinAnswer> {
    const rooms = this.config.rooms;
    const { fromAddress, fromAll } = await this.store.countJoin(address);
    if (fromAddress > rooms.joinsPerMinute) {
      throw new RoomAccessError(429, 'too_many_joins', 'too many join attempts: wait a minute');
    }
    if (fromAll > rooms.joinsPerMinuteTotal) {
      throw new RoomAccessError(
        429,
        'too_many_joins',
        'too many join attempts on this service right now: try again in a minute',
      );
    }
    const { passcode, ...room } = parseRoomBody(JoinRoomBodySchema, body, 'invalid_join');
    const roomId = 'room' in room ? room.room : await this.store.byCode(room.code);
    const meta = roomId ? await this.store.get(roomId) : undefined;
    if (!meta) throw new RoomAccessError(404, 'room_not_found', 'no such room');
    if (meta.ended) throw new RoomAccessError(410, 'room_ended', 'the room has ended');
    // A passcode is guessed room by room from many addresses: past the failures the room takes
    // no passcode at all (not even the right one, or the lockout would answer the guess).
    if (
      meta.hasPasscode &&
      (await this.store.passcodeFailures(meta.id)) >= rooms.passcodeFailures
    ) {
      throw new RoomAccessError(
        429,
        'room_locked',
        `too many wrong passcodes for this room: try again within ${rooms.passcodeLockoutSeconds} s`,
      );
    }
    if (!(await this.store.checkPasscode(meta.id, passcode))) {
      if (passcode) await this.store.countPasscodeFailure(meta.id, rooms.passcodeLockoutSeconds);
      throw new RoomAccessError(
        403,
        passcode ? 'wrong_passcode' : 'passcode_required',
        passcode ? 'wrong passcode' : 'this room needs a passcode',
      );
    }
    const expires = Math.floor(Date.now() / 1000) + this.config.rooms.ttlSeconds;
    return {
      room_id: meta.id,
      token: issueListenerToken(meta.id, meta.secret, expires),
      token_type: 'Bearer',
      expires_at: new Date(expires * 1000).toISOString(),
      passcode: meta.hasPasscode,
      speakers: await this.store.speakers(meta.id),
    };
  }

  /** The room a listener token opens, or a RoomAccessError (401/403/404/410). */
  async authorize(roomId: string, token: string | undefined): Promise<RoomMeta> {
    if (!token) throw new RoomAccessError(401, 'token_required', 'a listener token is required');
    const named = listenerTokenRoom(token);
    if (!named) throw new RoomAccessError(401, 'invalid_token', 'not a listener token');
    if (named !== roomId || !ROOM_ID.test(roomId)) {
      throw new RoomAccessError(403, 'other_room', 'this token is for another room');
    }
    const meta = await this.meta(roomId);
    if (!meta) throw new RoomAccessError(404, 'room_not_found', 'no such room');
    const check = verifyListenerToken(token, roomId, meta.secret);
    if (check !== 'ok') throw new RoomAccessError(401, 'invalid_token', `listener token ${check}`);
    return meta;
  }

  /** Takes a listener place; refuses with 429 room_full / key_full at the caps. */
  async admit(meta: RoomMeta, listenerId: string, language: string): Promise<void> {
    const outcome: JoinOutcome = await this.store.join(meta.id, meta.keyId, listenerId, language);
    if (outcome === 'room_full') {
      throw new RoomAccessError(429, 'room_full', 'the room has as many listeners as it may');
    }
    if (outcome === 'key_full') {
      throw new RoomAccessError(429, 'key_full', "the room owner's listener limit is reached");
    }
  }

  release(meta: RoomMeta, listenerId: string, language: string): void {
    this.store.leave(meta.id, meta.keyId, listenerId, language).catch(() => undefined);
  }

  private async meta(roomId: string): Promise<RoomMeta | undefined> {
    const cached = this.metas.get(roomId);
    if (cached && Date.now() - cached.at < META_CACHE_MS) return cached.meta;
    const meta = await this.store.get(roomId);
    if (meta) this.metas.set(roomId, { meta, at: Date.now() });
    if (this.metas.size > 10_000) this.metas.delete(this.metas.keys().next().value!);
    return meta;
  }
}
