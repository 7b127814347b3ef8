import { type WebSocket } from 'ws';
import { type LiveSession } from '../session-core/live-session';
import { type SessionDeps, type SessionOptions } from '../session-core/session-port';

/** An upgraded socket on a streaming path, already authenticated and guarded (src/security). */
export interface StreamConnection {
  ws: WebSocket;
  /** The upgrade request's query string. */
  query: URLSearchParams;
  deps: SessionDeps;
  /** Key, usage meter, room link and end callback from the upgrade; the adapter may add its own. */
  options: SessionOptions;
}

/**
 * A streaming protocol served on one or more WebSocket paths. It maps its client's frames to a
 * LiveSession (src/gateway/session-core) and the session's output back to frames; the gateway
 * does everything before the socket opens (path, auth, limits, draining).
 */
export interface StreamAdapter {
  /** For logs and metrics. */
  readonly name: string;
  /** Audio arrives in text frames (base64 in JSON): they may be as large as audio frames. */
  readonly textFramesCarryAudio?: boolean;
  /** Why the upgrade's query cannot open a session (answered 400 before the socket opens). */
  refuse?(query: URLSearchParams): string | undefined;
  connect(connection: StreamConnection): LiveSession;
}

/** Adapters by path; a new protocol registers its paths here (see docs/development.md). */
export class StreamAdapterRegistry {
  private readonly byPath = new Map<string, StreamAdapter>();

  register(paths: string[], adapter: StreamAdapter): this {
    for (const path of paths) {
      if (this.byPath.has(path)) throw new Error(`WebSocket path ${path} is registered twice`);
      this.byPath.set(path, adapter);
    }
    return this;
  }

  /** The adapter of a normalised path (no trailing slash, '/' for the root). */
  find(path: string): StreamAdapter | undefined {
    return this.byPath.get(path);
  }

  get paths(): string[] {
    return [...this.byPath.keys()];
  }
}
