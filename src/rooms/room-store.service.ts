import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { RedisClient } from '../common/redis/redis.module';
import { ORIGINAL, parseEntry, RoomEntry, RoomEntryFrame, RoomInterim } from './room-frames';
import {
  hashSecret,
  newJoinCode,
  newRoomId,
  newSecret,
  newSpeakerKey,
  secretMatches,
} from './room-tokens';

export interface RoomMeta {
  id: string;
  code: string;
  /** Signs the room's listener tokens (never leaves Redis and the gateways). */
  secret: string;
  /** The API key that created the room; null for anonymous rooms (auth off). */
  keyId: string | null;
  hasPasscode: boolean;
  ended: boolean;
  /** Listeners see interim captions. */
  interims: boolean;
  createdAt: number;
}

export interface RoomOptions {
  keyId: string | null;
  passcode?: string;
  interims?: boolean;
}

export interface CreatedRoom {
  meta: RoomMeta;
  speakerKey: string;
}

export type JoinOutcome = 'ok' | 'room_full' | 'key_full';

/** Listener presence is refreshed this often by the gateway holding the listener... */
export const PRESENCE_REFRESH_MS = 10_000;
/** ...and counts until this long after the last refresh (a crashed gateway's listeners expire). */
export const PRESENCE_TTL_MS = 30_000;

/**
 * Appends one entry unless its dedupe key exists. A final takes the room's next seq (and its
 * `sessionId:index` is remembered for its translations); a translation carries its final's seq.
 * KEYS: meta, stream, dedupe ('' for none), seqs. ARGV: kind, session:index, frame, maxlen, ttl.
 */
const PUBLISH = `
if KEYS[3] ~= '' then
  if redis.call('SET', KEYS[3], '1', 'NX', 'EX', ARGV[5]) == false then return false end
end
local seq = 0
if ARGV[1] == 'final' then
  seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
  redis.call('HSET', KEYS[4], ARGV[2], seq)
  redis.call('EXPIRE', KEYS[4], ARGV[5])
elseif ARGV[1] == 'translation' then
  seq = tonumber(redis.call('HGET', KEYS[4], ARGV[2]) or '0')
elseif ARGV[1] == 'ended' then
  redis.call('HSET', KEYS[1], 'ended', '1')
end
local id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 's', seq, 'f', ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[5])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return id
`;

/**
 * Admits a listener unless the room or the key is at its cap (expired presence dropped first).
 * KEYS: room presence, key presence. ARGV: now, expiry, room member, key member, room cap, key cap.
 */
const JOIN = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[3]) == false then
  if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[5]) then return 'room_full' end
  if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[6]) then return 'key_full' end
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ${PRESENCE_TTL_MS * 4})
redis.call('PEXPIRE', KEYS[2], ${PRESENCE_TTL_MS * 4})
return 'ok'
`;

/** Rooms in Redis: shared by every gateway (docs/rooms.md lists the keys). */
@Injectable()
export class RoomStoreService {
  constructor(
    private readonly client: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  streamKey(roomId: string): string {
    return this.client.keys.roomStream(roomId);
  }

  liveChannel(roomId: string): string {
    return this.client.keys.roomLiveChannel(roomId);
  }

  private get ttl(): number {
    return this.config.rooms.ttlSeconds;
  }

  async create(options: RoomOptions): Promise<CreatedRoom> {
    const redis = this.client.redis;
    const id = newRoomId();
    const secret = newSecret();
    const speakerKey = newSpeakerKey();
    let code = '';
    for (let attempt = 0; attempt < 10 && code === ''; attempt++) {
      const candidate = newJoinCode();
      const ok = await redis.set(this.client.keys.roomCode(candidate), id, 'EX', this.ttl, 'NX');
      if (ok) code = candidate;
    }
    if (code === '') throw new Error('no free join code');
    const createdAt = Date.now();
    const fields: Record<string, string> = {
      code,
      secret,
      keyId: options.keyId ?? '',
      passcode: options.passcode ? hashSecret(options.passcode, secret) : '',
      speakerKey: hashSecret(speakerKey, secret),
      interims: options.interims === false ? '0' : '1',
      createdAt: String(createdAt),
      seq: '0',
    };
    const write = redis
      .multi()
      .hset(this.client.keys.room(id), fields)
      .expire(this.client.keys.room(id), this.ttl);
    // The key's rooms, so that revoking the key ends them.
    if (options.keyId) {
      write
        .sadd(this.client.keys.keyRooms(options.keyId), id)
        .expire(this.client.keys.keyRooms(options.keyId), this.ttl);
    }
    await write.exec();
    return {
      meta: {
        id,
        code,
        secret,
        keyId: options.keyId,
        hasPasscode: fields.passcode !== '',
        ended: false,
        interims: fields.interims === '1',
        createdAt,
      },
      speakerKey,
    };
  }

  async get(roomId: string): Promise<RoomMeta | undefined> {
    const h = await this.client.redis.hgetall(this.client.keys.room(roomId));
    if (!h.secret) return undefined;
    return {
      id: roomId,
      code: h.code ?? '',
      secret: h.secret,
      keyId: h.keyId || null,
      hasPasscode: h.passcode !== '',
      ended: h.ended === '1',
      interims: h.interims !== '0',
      createdAt: Number(h.createdAt),
    };
  }

  async byCode(code: string): Promise<string | undefined> {
    return (await this.client.redis.get(this.client.keys.roomCode(code))) ?? undefined;
  }

  async checkPasscode(roomId: string, passcode: string | undefined): Promise<boolean> {
    const [stored, secret] = await this.client.redis.hmget(
      this.client.keys.room(roomId),
      'passcode',
      'secret',
    );
    if (!secret) return false;
    if (!stored) return true;
    return passcode !== undefined && secretMatches(passcode, secret, stored);
  }

  async checkSpeakerKey(roomId: string, speakerKey: string): Promise<boolean> {
    const [stored, secret] = await this.client.redis.hmget(
      this.client.keys.room(roomId),
      'speakerKey',
      'secret',
    );
    return !!stored && !!secret && secretMatches(speakerKey, secret, stored);
  }

  /** A session speaks in the room under `label` (also after a resume, on any gateway). */
  async addSpeaker(roomId: string, sessionId: string, label: string): Promise<void> {
    await this.client.redis
      .multi()
      .hset(this.client.keys.roomSpeakers(roomId), sessionId, label)
      .expire(this.client.keys.roomSpeakers(roomId), this.ttl)
      .set(
        this.client.keys.roomSpeaker(sessionId),
        JSON.stringify({ roomId, label }),
        'EX',
        this.ttl,
      )
      .exec();
  }

  async speakerOf(sessionId: string): Promise<{ roomId: string; label: string } | undefined> {
    const value = await this.client.redis.get(this.client.keys.roomSpeaker(sessionId));
    return value ? (JSON.parse(value) as { roomId: string; label: string }) : undefined;
  }

  async speakers(roomId: string): Promise<string[]> {
    return [
      ...new Set(
        Object.values(await this.client.redis.hgetall(this.client.keys.roomSpeakers(roomId))),
      ),
    ];
  }

  /** Appends to the room stream exactly once per `dedupe`; null when it was already there. */
  async publish(
    roomId: string,
    frame: RoomEntryFrame,
    dedupe: string | undefined,
    seqField = '',
  ): Promise<string | null> {
    return (await this.client.redis.eval(
      PUBLISH,
      4,
      this.client.keys.room(roomId),
      this.streamKey(roomId),
      dedupe ? this.client.keys.roomFrameWritten(roomId, dedupe) : '',
      this.client.keys.roomSeqs(roomId),
      frame.type,
      seqField,
      JSON.stringify(frame),
      this.config.rooms.streamMaxLen,
      this.ttl,
    )) as string | null;
  }

  /** Ends the room: listeners get the `ended` entry; joins are refused from now on. */
  async end(roomId: string): Promise<string | null> {
    return this.publish(
      roomId,
      { type: 'ended', reason: 'room_ended', message: 'the room was ended by its speaker' },
      'ended',
    );
  }

  /** Ends every room of an API key (its revocation); returns how many were still live. */
  async endRoomsOf(keyId: string): Promise<number> {
    const ids = await this.client.redis.smembers(this.client.keys.keyRooms(keyId));
    let ended = 0;
    for (const id of ids) {
      const meta = await this.get(id);
      if (!meta || meta.ended || meta.keyId !== keyId) continue;
      if ((await this.end(id)) !== null) ended++;
    }
    return ended;
  }

  async readAfter(roomId: string, afterId: string, count = 1000): Promise<RoomEntry[]> {
    const entries = await this.client.redis.xrange(
      this.streamKey(roomId),
      afterId === '0' ? '-' : `(${afterId}`,
      '+',
      'COUNT',
      count,
    );
    return entries.flatMap(([id, fields]) => parseEntry(id, fields) ?? []);
  }

  /**
   * Up to `count` entries after `afterId`; `full` when the stream had that many (more may follow),
   * `last` the id to read on from (unparseable entries are skipped but still advance it).
   */
  async readPage(
    roomId: string,
    afterId: string,
    count: number,
  ): Promise<{ entries: RoomEntry[]; last: string; full: boolean }> {
    const raw = await this.client.redis.xrange(
      this.streamKey(roomId),
      afterId === '0' ? '-' : `(${afterId}`,
      '+',
      'COUNT',
      count,
    );
    return {
      entries: raw.flatMap(([id, fields]) => parseEntry(id, fields) ?? []),
      last: raw.at(-1)?.[0] ?? afterId,
      full: raw.length === count,
    };
  }

  async publishInterim(roomId: string, frame: RoomInterim): Promise<void> {
    await this.client.redis.publish(this.liveChannel(roomId), JSON.stringify(frame));
  }

  private presenceKeys(roomId: string, keyId: string | null): [string, string] {
    return [this.client.keys.roomPresence(roomId), this.client.keys.keyRoomPresence(keyId)];
  }

  async join(
    roomId: string,
    keyId: string | null,
    listenerId: string,
    language: string,
    now = Date.now(),
  ): Promise<JoinOutcome> {
    return (await this.client.redis.eval(
      JOIN,
      2,
      ...this.presenceKeys(roomId, keyId),
      now,
      now + PRESENCE_TTL_MS,
      `${language}|${listenerId}`,
      `${roomId}|${listenerId}`,
      this.config.rooms.maxListeners,
      this.config.rooms.maxListenersPerKey,
    )) as JoinOutcome;
  }

  /** Refreshes the presence of a gateway's listeners of one room. */
  async heartbeat(
    roomId: string,
    keyId: string | null,
    listeners: { id: string; language: string }[],
    now = Date.now(),
  ): Promise<void> {
    if (listeners.length === 0) return;
    const [roomKey, keyKey] = this.presenceKeys(roomId, keyId);
    const expiry = now + PRESENCE_TTL_MS;
    await this.client.redis
      .multi()
      .zadd(roomKey, ...listeners.flatMap((l) => [expiry, `${l.language}|${l.id}`]))
      .zadd(keyKey, ...listeners.flatMap((l) => [expiry, `${roomId}|${l.id}`]))
      .pexpire(roomKey, PRESENCE_TTL_MS * 4)
      .pexpire(keyKey, PRESENCE_TTL_MS * 4)
      .exec();
  }

  /** A listener left: its language stays active for the grace period. */
  async leave(
    roomId: string,
    keyId: string | null,
    listenerId: string,
    language: string,
    now = Date.now(),
  ): Promise<void> {
    const [roomKey, keyKey] = this.presenceKeys(roomId, keyId);
    const graceKey = this.client.keys.roomGrace(roomId);
    await this.client.redis
      .multi()
      .zrem(roomKey, `${language}|${listenerId}`)
      .zrem(keyKey, `${roomId}|${listenerId}`)
      .zadd(graceKey, 'GT', now + this.config.rooms.languageGraceSeconds * 1000, language)
      .expire(graceKey, this.ttl)
      .exec();
  }

  /** Listeners per language (connected now) and the languages to translate into. */
  async languages(
    roomId: string,
    now = Date.now(),
  ): Promise<{ listeners: Record<string, number>; active: string[] }> {
    const [present, grace] = await Promise.all([
      this.client.redis.zrangebyscore(this.client.keys.roomPresence(roomId), now, '+inf'),
      this.client.redis.zrangebyscore(this.client.keys.roomGrace(roomId), now, '+inf'),
    ]);
    const listeners: Record<string, number> = {};
    for (const member of present) {
      const language = member.slice(0, member.indexOf('|'));
      listeners[language] = (listeners[language] ?? 0) + 1;
    }
    const active = new Set([...Object.keys(listeners), ...grace]);
    active.delete(ORIGINAL);
    return { listeners, active: [...active].sort() };
  }

  /** Counts a join attempt from `address`; the count within the current minute. */
  /** This minute's join attempts: from `address`, and from everyone (all gateways). */
  async countJoin(
    address: string,
    now = Date.now(),
  ): Promise<{ fromAddress: number; fromAll: number }> {
    const minute = Math.floor(now / 60_000);
    const key = this.client.keys.roomJoins(address, minute);
    const all = this.client.keys.roomJoinsAll(minute);
    const replies = (await this.client.redis
      .multi()
      .incr(key)
      .expire(key, 120)
      .incr(all)
      .expire(all, 120)
      .exec()) as [[unknown, number], unknown, [unknown, number], unknown];
    return { fromAddress: replies[0][1], fromAll: replies[2][1] };
  }

  /** This hour's room creations by `owner` (a key id or `ip:<address>`), this one included. */
  async countCreate(owner: string, now = Date.now()): Promise<number> {
    const key = this.client.keys.roomCreates(owner, Math.floor(now / 3_600_000));
    const replies = (await this.client.redis.multi().incr(key).expire(key, 7200).exec()) as [
      [unknown, number],
      unknown,
    ];
    return replies[0][1];
  }

  /** Wrong passcodes for the room in the current lockout window. */
  async passcodeFailures(roomId: string): Promise<number> {
    return Number(
      (await this.client.redis.get(this.client.keys.roomPasscodeFailures(roomId))) ?? 0,
    );
  }

  /** Counts a wrong passcode; the window starts with the first one. */
  async countPasscodeFailure(roomId: string, windowSeconds: number): Promise<void> {
    const key = this.client.keys.roomPasscodeFailures(roomId);
    await this.client.redis.multi().set(key, 0, 'EX', windowSeconds, 'NX').incr(key).exec();
  }
}
