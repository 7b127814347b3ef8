/**
 * Builds the WebSocket URL of a stream: configuration in the query string, plus the resume token
 * and last sequence number seen when reconnecting. Names follow docs/protocol.md.
 */
export interface StreamQuery {
  source?: string;
  targets?: string[];
  sampleRate?: number;
  encoding?: string;
  interim?: boolean;
  interimTranslations?: boolean;
  /** Live rooms: `new` publishes the session, or a room id (with `roomKey`) to speak in it. */
  room?: string;
  roomKey?: string;
  roomPasscode?: string;
  speaker?: string;
}

/** Where the gateway serves this protocol (`/` is an alias for older servers and clients). */
export const STREAM_PATH = '/v1/stream';

/** Subprotocol prefix that carries a session token (the server never echoes it). */
export const BEARER_PROTOCOL_PREFIX = 'bearer.';

/**
 * Subprotocols offering a session token: credentials never go in URLs (history, proxy logs).
 * Without a token: none.
 */
export function credentialProtocols(token: string | undefined): string[] {
  return token ? ['rt', `${BEARER_PROTOCOL_PREFIX}${token}`] : [];
}

export interface ResumePoint {
  resumeToken: string;
  lastSeq: number;
  /** Id of the last replayable frame seen (final, translation, error): resumes exactly after it. */
  lastId?: string;
}

/** A base without a path (`ws://host:5026`) streams on STREAM_PATH. */
/**
 * The room request as the first config frame, when it carries a secret (a room key or a
 * passcode); undefined when the URL can carry it (`room=new&speaker=`).
 */
export function roomConfigFrame(query: StreamQuery): string | undefined {
  if (query.room === undefined || (!query.roomKey && !query.roomPasscode)) return undefined;
  const room =
    query.room === 'new'
      ? { create: true, passcode: query.roomPasscode, speaker: query.speaker }
      : { id: query.room, key: query.roomKey, speaker: query.speaker };
  return JSON.stringify({ type: 'config', room });
}

export function streamUrl(base: string, query: StreamQuery, resume?: ResumePoint): string {
  const url = new URL(base);
  if (url.pathname === '/') url.pathname = STREAM_PATH;
  const set = (name: string, value: string | undefined): void => {
    if (value !== undefined && value !== '') url.searchParams.set(name, value);
  };
  set('source', query.source);
  set('targets', query.targets && query.targets.length > 0 ? query.targets.join(',') : undefined);
  set('sample_rate', query.sampleRate !== undefined ? String(query.sampleRate) : undefined);
  set('encoding', query.encoding);
  set('interim_results', query.interim === undefined ? undefined : String(query.interim));
  set(
    'interim_translations',
    query.interimTranslations === undefined ? undefined : String(query.interimTranslations),
  );
  // These clients read `final` and `translation` frames; the realtime echo of finals is for
  // clients that read only `realtime` ones.
  set('realtime_finals', 'false');
  // A room key or passcode never goes in a URL: with one, the room request is a config frame.
  if (!roomConfigFrame(query)) {
    set('room', query.room);
    set('speaker', query.speaker);
  }
  if (resume) {
    set('resume', resume.resumeToken);
    set('last_seq', String(resume.lastSeq));
    set('last_id', resume.lastId);
  }
  return url.toString();
}

/** Turns http(s)://host into ws(s)://host (the web app derives its socket URL from the page). */
export function wsUrlFromPage(pageUrl: string, path = STREAM_PATH): string {
  const url = new URL(pageUrl);
  const scheme = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${url.host}${path}`;
}

/**
 * Remembers what a reconnect needs: the resume token of the session, the highest final sequence
 * number delivered so far and the id of the last replayable frame. Sequence numbers start at 1 and
 * increase by one per final (an error that takes the place of a final has a seq too).
 */
export class ResumeTracker {
  private token?: string;
  private sessionId?: string;
  private last = 0;
  private lastFrameId?: string;

  onSession(sessionId: string, resumeToken: string): { resumed: boolean } {
    const resumed = this.sessionId === sessionId;
    if (!resumed) {
      this.last = 0;
      this.lastFrameId = undefined;
    }
    this.sessionId = sessionId;
    this.token = resumeToken;
    return { resumed };
  }

  /** True when the final is new; false for a duplicate the client has already seen. */
  onFinal(seq: number, id?: string): boolean {
    if (seq <= this.last) return false;
    this.last = seq;
    if (id) this.lastFrameId = id;
    return true;
  }

  /** Translations (and other replayable frames) move the exact resume point. */
  onReplayable(id?: string): void {
    if (id) this.lastFrameId = id;
  }

  get lastSeq(): number {
    return this.last;
  }

  get id(): string | undefined {
    return this.sessionId;
  }

  resumePoint(): ResumePoint | undefined {
    if (!this.token) return undefined;
    return { resumeToken: this.token, lastSeq: this.last, lastId: this.lastFrameId };
  }

  reset(): void {
    this.token = undefined;
    this.sessionId = undefined;
    this.last = 0;
    this.lastFrameId = undefined;
  }
}
