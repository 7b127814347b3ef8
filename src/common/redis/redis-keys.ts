/**
 * The Redis key layout: every key and pub/sub channel the service writes outside BullMQ (which
 * names its own keys under the same prefix). Each is `<QUEUE_PREFIX>:<part>:<part>...`.
 *
 * These strings are the data format of a running deployment: a gateway of one version reads
 * what a worker of another wrote, and a restart reads what the last process left. Change a
 * pattern only with a migration (redis-keys.spec.ts pins them).
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  private key(...parts: (string | number)[]): string {
    return [this.prefix, ...parts].join(':');
  }

  // Sessions (gateway: state, outbox, delivery marks, finals; workers: results, context).

  /** Hash: a session's owner, config, counters and delivery position. */
  sessionState(sessionId: string): string {
    return this.key('session', sessionId, 'state');
  }

  /** Stream: the frames delivered to the client, kept for replay on resume. */
  sessionOutbox(sessionId: string): string {
    return this.key('session', sessionId, 'outbox');
  }

  /** Sorted set: delivery marks (each frame once), by utterance index. */
  sessionDelivered(sessionId: string): string {
    return this.key('session', sessionId, 'delivered');
  }

  /** List: the finals the session still expects. */
  sessionFinals(sessionId: string): string {
    return this.key('session', sessionId, 'finals');
  }

  /** Stream: the results workers write for the session's gateway. */
  sessionResults(sessionId: string): string {
    return this.key('session', sessionId, 'results');
  }

  /** Marks that result `dedupeId` was appended to the session's results (retried jobs). */
  sessionResultWritten(sessionId: string, dedupeId: string): string {
    return this.key('session', sessionId, 'written', dedupeId);
  }

  /** The session's recent text, the stt prompt of its next utterance. */
  sessionContext(sessionId: string): string {
    return this.key('session', sessionId, 'context');
  }

  // Utterances (stt and translation workers).

  /** The latest revision of an utterance. */
  utteranceLatest(utteranceId: string): string {
    return this.key('utterance', utteranceId, 'latest');
  }

  /** The interim text the last interims agree on. */
  utteranceAgreement(utteranceId: string): string {
    return this.key('utterance', utteranceId, 'agreement');
  }

  /** The audio of one revision of an utterance, handed from gateway to stt worker. */
  audio(utteranceId: string, revision: number): string {
    return this.key('audio', utteranceId, revision);
  }

  /** The verdict on a speculative final. */
  speculationVerdict(utteranceId: string, revision: number): string {
    return this.key('speculation', utteranceId, revision);
  }

  /** A computed speculation's final, waiting for the verdict (the gateway confirming appends it). */
  speculationReady(utteranceId: string, revision: number): string {
    return this.key('speculation', utteranceId, revision, 'ready');
  }

  /** Channel: `<utteranceId>|<revision>` of every verdict recorded. */
  speculationVerdictsChannel(): string {
    return this.key('speculation-verdicts');
  }

  /** Workers announce computed speculations here (their text, for the gateway's turn judge). */
  speculationOffersChannel(): string {
    return this.key('speculation-offers');
  }

  // Translation.

  /** Hash: the language pairs each translation worker serves. */
  translationDirectory(): string {
    return this.key('translation', 'directory');
  }

  /** List: the replies to one translation API request. */
  translateReplies(requestId: string): string {
    return this.key('translate', requestId);
  }

  /** Translation API requests of `caller` in one minute (epoch minutes). */
  translateRate(caller: string, minute: number): string {
    return this.key('translate-rate', caller, minute);
  }

  // API keys (persistence cache) and transcript archiving.

  /** A cached key record, by the SHA-256 of the key. */
  apiKey(hash: string): string {
    return this.key('apikey', hash);
  }

  /** Tombstone: the key with this hash is revoked. */
  apiKeyRevoked(hash: string): string {
    return this.key('apikey', hash, 'revoked');
  }

  /** Negative cache: no key has this hash. */
  apiKeyUnknown(hash: string): string {
    return this.key('apikey', hash, 'unknown');
  }

  /** A key's status, by key id. */
  apiKeyStatus(keyId: string): string {
    return this.key('apikey-status', keyId);
  }

  /** Channel: the id of every revoked key. */
  apiKeyRevokedChannel(): string {
    return this.key('apikey-revoked');
  }

  /** The last archived result id of a session. */
  archiveCursor(sessionId: string): string {
    return this.key('archive', 'cursor', sessionId);
  }

  /** Tombstone: the session's transcript was deleted; archive no more of it. */
  archiveDeleted(sessionId: string): string {
    return this.key('archive', 'deleted', sessionId);
  }

  /** Hash: sessions whose results must be re-read from their streams. */
  archiveRecover(): string {
    return this.key('archive', 'recover');
  }

  // Security (gateway).

  /** Authentication failures of `subject` (`ip:...`, `key:...`) in the current window. */
  authFailures(subject: string): string {
    return this.key('security', 'authfail', subject);
  }

  /** A session token id (its credential label) already used. */
  tokenId(label: string): string {
    return this.key('security', 'jti', label);
  }

  /** The key id was revoked: tokens issued for it open nothing. */
  keyRevoked(keyId: string): string {
    return this.key('security', 'revoked', keyId);
  }

  /** Sorted set: the open sessions of an API key. */
  keySessions(keyId: string): string {
    return this.key('security', 'sessions', keyId);
  }

  // Rooms (gateway).

  /** Hash: the room's settings and secrets. */
  room(roomId: string): string {
    return this.key('room', roomId);
  }

  /** Stream: the room's finals and translations. */
  roomStream(roomId: string): string {
    return this.key('room', roomId, 'stream');
  }

  /** Channel: the room's interims. */
  roomLiveChannel(roomId: string): string {
    return this.key('room', roomId, 'live');
  }

  /** The room id in a `roomLiveChannel` name. */
  roomIdOfLiveChannel(channel: string): string {
    return channel.split(':').at(-2) ?? '';
  }

  /** Hash: speaker label by session id. */
  roomSpeakers(roomId: string): string {
    return this.key('room', roomId, 'speakers');
  }

  /** Marks that frame `dedupe` was written to the room's stream. */
  roomFrameWritten(roomId: string, dedupe: string): string {
    return this.key('room', roomId, 'written', dedupe);
  }

  /** Hash: the room stream sequence number of each `session:index`. */
  roomSeqs(roomId: string): string {
    return this.key('room', roomId, 'seqs');
  }

  /** Sorted set: the room's listeners, by expiry. */
  roomPresence(roomId: string): string {
    return this.key('room', roomId, 'presence');
  }

  /** Sorted set: languages of listeners who left, active until their grace period ends. */
  roomGrace(roomId: string): string {
    return this.key('room', roomId, 'grace');
  }

  /** Sorted set: the room listeners of an API key (`-` without one), by expiry. */
  keyRoomPresence(keyId: string | null): string {
    return this.key('roomkey', keyId ?? '-', 'presence');
  }

  /** The room id of a join code. */
  roomCode(code: string): string {
    return this.key('roomcode', code);
  }

  /** The room a session speaks in. */
  roomSpeaker(sessionId: string): string {
    return this.key('roomspeaker', sessionId);
  }

  /** Join attempts from `address` in one minute (epoch minutes). */
  roomJoins(address: string, minute: number): string {
    return this.key('roomjoins', address, minute);
  }

  /** Join attempts from every address in one minute (all gateways). */
  roomJoinsAll(minute: number): string {
    return this.key('roomjoins', '*all*', minute);
  }

  /** Set: the room ids an API key owns (ended when the key is revoked). */
  keyRooms(keyId: string): string {
    return this.key('keyrooms', keyId);
  }

  /** Rooms created by `owner` (key id or `ip:<address>`) in one hour (epoch hours). */
  roomCreates(owner: string, hour: number): string {
    return this.key('roomcreates', owner, hour);
  }

  /** Wrong passcodes given for a room within the lockout window. */
  roomPasscodeFailures(roomId: string): string {
    return this.key('room', roomId, 'passcode-failures');
  }
}
