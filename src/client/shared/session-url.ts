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
  token?: string;
}

export interface ResumePoint {
  resumeToken: string;
  lastSeq: number;
}

export function streamUrl(base: string, query: StreamQuery, resume?: ResumePoint): string {
  const url = new URL(base);
  const set = (name: string, value: string | undefined): void => {
    if (value !== undefined && value !== '') url.searchParams.set(name, value);
  };
  set('source', query.source);
  set('targets', query.targets && query.targets.length > 0 ? query.targets.join(',') : undefined);
  set('sample_rate', query.sampleRate !== undefined ? String(query.sampleRate) : undefined);
  set('encoding', query.encoding);
  set('interim', query.interim === undefined ? undefined : String(query.interim));
  set('token', query.token);
  if (resume) {
    set('resume', resume.resumeToken);
    set('last_seq', String(resume.lastSeq));
  }
  return url.toString();
}

/** Turns http(s)://host into ws(s)://host (the web app derives its socket URL from the page). */
export function wsUrlFromPage(pageUrl: string, path = '/v1/listen'): string {
  const url = new URL(pageUrl);
  const scheme = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${url.host}${path}`;
}

/**
 * Remembers what a reconnect needs: the resume token of the session and the highest final
 * sequence number delivered so far. Sequence numbers start at 1 and increase by one per final.
 */
export class ResumeTracker {
  private token?: string;
  private sessionId?: string;
  private last = 0;

  onSession(sessionId: string, resumeToken: string): { resumed: boolean } {
    const resumed = this.sessionId === sessionId;
    if (!resumed) this.last = 0;
    this.sessionId = sessionId;
    this.token = resumeToken;
    return { resumed };
  }

  /** True when the final is new; false for a duplicate the client has already seen. */
  onFinal(seq: number): boolean {
    if (seq <= this.last) return false;
    this.last = seq;
    return true;
  }

  get lastSeq(): number {
    return this.last;
  }

  get id(): string | undefined {
    return this.sessionId;
  }

  resumePoint(): ResumePoint | undefined {
    return this.token ? { resumeToken: this.token, lastSeq: this.last } : undefined;
  }

  reset(): void {
    this.token = undefined;
    this.sessionId = undefined;
    this.last = 0;
  }
}
