import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { IncomingMessage, STATUS_CODES } from 'node:http';
import { Duplex } from 'node:stream';
import { RawData, WebSocket, WebSocketServer } from 'ws';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { CloseCode } from '../contracts/close-codes';
import { presentedCredential, selectProtocol } from '../security/credentials';
import { UpgradeAuthService } from '../security/upgrade-auth.service';
import { addressGroup, ListenerAdmission } from './listener-admission';
import { ListenerFrameSchema, parseListenerQuery } from './listener-request';
import { RoomAccessError, RoomAccessService } from './room-access.service';
import { ListenerSink } from './room-fanout';
import { RoomHubService } from './room-hub.service';
import { RoomMeta } from './room-store.service';

/** WebSocket path of a room's listeners: `/v1/rooms/<room id>/listen`. */
export const LISTEN_PATH = /^\/v1\/rooms\/([A-Za-z0-9_-]{1,64})\/listen$/;

const LISTENER_MESSAGES_PER_SECOND = 10;
const SSE_KEEPALIVE_MS = 15_000;

export interface SseResponse {
  writeHead(status: number, headers: Record<string, string>): unknown;
  write(chunk: string): boolean;
  end(): unknown;
  destroy(): unknown;
  on(event: 'close', listener: () => void): unknown;
  readonly writableLength: number;
}

/**
 * Listener connections (WebSocket and Server-Sent Events): read-only, one room each, on any
 * gateway. They hold a place under the listener caps from connect to close.
 */
@Injectable()
export class RoomListenersService implements OnModuleDestroy {
  private readonly logger = new Logger('RoomListeners');
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: 4096,
    perMessageDeflate: false,
    handleProtocols: selectProtocol,
  });
  private readonly open = new Set<{ goAway(): void }>();
  private readonly admission: ListenerAdmission;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly access: RoomAccessService,
    private readonly hub: RoomHubService,
    private readonly auth: UpgradeAuthService,
  ) {
    this.admission = new ListenerAdmission({
      perToken: config.rooms.maxListenersPerToken,
      perAddress: config.rooms.maxListenersPerAddress,
      connectsPerMinute: config.rooms.listenerConnectsPerMinute,
    });
  }

  /** The client's address as the listener limits count it (trusted proxies, IPv6 /64). */
  addressOf(request: IncomingMessage): string {
    return addressGroup(this.auth.clientAddress(request));
  }

  /**
   * Checks a listener's token and takes its places: this gateway's per-token and per-address
   * caps, then the room's and the key's over all gateways. Returns what gives the local places
   * back (the shared ones are left with `leave`).
   */
  private async enter(
    roomId: string,
    token: string | undefined,
    address: string,
    listenerId: string,
    query: Parameters<typeof parseListenerQuery>[0],
  ): Promise<{ meta: RoomMeta; language: string; after: string; release: () => void }> {
    this.admission.attempt(address);
    const meta = await this.access.authorize(roomId, token);
    const { language, last_id: after } = parseListenerQuery(query);
    const release = this.admission.take(token!, address);
    try {
      await this.access.admit(meta, listenerId, language);
    } catch (error) {
      release();
      throw error;
    }
    return { meta, language, after, release };
  }

  get count(): number {
    return this.open.size;
  }

  /** An upgrade on a listener path. Refusals are HTTP answers, before any socket opens. */
  async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => undefined);
    const url = new URL(request.url ?? '/', 'http://gateway');
    const [, roomId = ''] = LISTEN_PATH.exec(url.pathname.replace(/\/+$/, ''))!;
    const listenerId = randomUUID();
    let entered: Awaited<ReturnType<RoomListenersService['enter']>>;
    try {
      if (!this.auth.originAllowed(first(request.headers.origin))) {
        throw new RoomAccessError(403, 'origin', 'origin not allowed');
      }
      const credential = presentedCredential(request);
      const token = typeof credential === 'object' ? credential.value : undefined;
      entered = await this.enter(roomId, token, this.addressOf(request), listenerId, {
        language: url.searchParams.get('language'),
        last_id: url.searchParams.get('last_id'),
      });
    } catch (error) {
      reject(socket, error);
      return;
    }
    const { meta, language, after, release } = entered;
    // A socket that goes away during the handshake never reaches listenWs.
    socket.once('close', release);
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      ws.once('close', release);
      this.listenWs(ws, meta, listenerId, language, after);
    });
  }

  private listenWs(
    ws: WebSocket,
    meta: RoomMeta,
    listenerId: string,
    language: string,
    after: string,
  ): void {
    const maxBuffered = this.config.rooms.listenerBufferBytes;
    let closed = false;
    const close = (code: number, reason: string): void => {
      if (closed) return;
      closed = true;
      ws.close(code, reason);
    };
    const sink: ListenerSink & { goAway(): void } = {
      id: listenerId,
      language,
      send: (frame) => {
        if (closed || ws.readyState !== WebSocket.OPEN) return;
        if (ws.bufferedAmount > maxBuffered) {
          close(CloseCode.SlowReader, 'slow reader: resume with last_id');
          return;
        }
        ws.send(frame);
      },
      end: () => close(CloseCode.RoomEnded, 'room ended'),
      goAway: () => close(CloseCode.GoingAway, 'server shutting down: reconnect'),
      backlog: () => (closed || ws.readyState !== WebSocket.OPEN ? undefined : ws.bufferedAmount),
      tooSlow: () => {
        close(CloseCode.SlowReader, 'slow reader: resume with last_id');
        // A client that does not read will not answer the close either.
        setTimeout(() => ws.terminate(), 2000).unref();
      },
    };
    this.open.add(sink);
    let windowStart = Date.now();
    let messages = 0;
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const now = Date.now();
      if (now - windowStart >= 1000) {
        windowStart = now;
        messages = 0;
      }
      if (++messages > LISTENER_MESSAGES_PER_SECOND) {
        sink.send(error('rate_limited', 'too many messages'));
        close(CloseCode.RateLimited, 'rate limited');
        return;
      }
      if (isBinary) {
        sink.send(error('read_only', 'listeners can not send audio'));
        close(CloseCode.PolicyViolation, 'listeners can not send audio');
        return;
      }
      const text = Buffer.from(data as Buffer).toString('utf8');
      if (!ListenerFrameSchema.safeParse(text).success)
        sink.send(error('unknown_type', 'listeners may send keepalive only'));
    });
    let alive = true;
    ws.on('pong', () => (alive = true));
    const ping = setInterval(() => {
      if (!alive) {
        ws.terminate();
        return;
      }
      alive = false;
      ws.ping();
    }, 30_000);
    ping.unref();
    ws.on('error', () => undefined);
    ws.on('close', () => {
      closed = true;
      clearInterval(ping);
      this.open.delete(sink);
      this.leave(meta, listenerId, language);
    });
    ws.send(joined(meta, listenerId, language, after));
    this.hub.attach(meta, sink, after, maxBuffered / 4).catch((err: unknown) => {
      this.logger.warn(`Listener not attached: ${(err as Error).message}`);
      close(CloseCode.Internal, 'room unavailable: reconnect');
    });
  }

  /**
   * An SSE listener: `GET /v1/rooms/:id/events`. Resolves once the stream is open (or the
   * refusal was thrown as a RoomAccessError for the controller to answer).
   */
  async listenSse(
    roomId: string,
    token: string | undefined,
    languageParam: string | undefined,
    lastId: string | undefined,
    address: string,
    res: SseResponse,
  ): Promise<void> {
    const listenerId = randomUUID();
    const { meta, language, after, release } = await this.enter(
      roomId,
      token,
      address,
      listenerId,
      { language: languageParam, last_id: lastId },
    );
    const maxBuffered = this.config.rooms.listenerBufferBytes;
    let closed = false;
    const finish = (): void => {
      if (closed) return;
      closed = true;
      res.end();
    };
    const sink: ListenerSink & { goAway(): void } = {
      id: listenerId,
      language,
      send: (frame, id) => {
        if (closed) return;
        if (res.writableLength > maxBuffered) {
          closed = true;
          res.destroy();
          return;
        }
        res.write(id ? `id: ${id}\ndata: ${frame}\n\n` : `data: ${frame}\n\n`);
      },
      end: finish,
      goAway: finish,
      backlog: () => (closed ? undefined : res.writableLength),
      tooSlow: () => {
        closed = true;
        res.destroy();
      },
    };
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    res.write(`retry: 1000\ndata: ${joined(meta, listenerId, language, after)}\n\n`);
    this.open.add(sink);
    const keepalive = setInterval(() => {
      if (!closed) res.write(': keepalive\n\n');
    }, SSE_KEEPALIVE_MS);
    keepalive.unref();
    res.on('close', () => {
      closed = true;
      release();
      clearInterval(keepalive);
      this.open.delete(sink);
      this.leave(meta, listenerId, language);
    });
    try {
      await this.hub.attach(meta, sink, after, maxBuffered / 4);
    } catch (err) {
      this.logger.warn(`Listener not attached: ${(err as Error).message}`);
      res.destroy();
    }
  }

  private leave(meta: RoomMeta, listenerId: string, language: string): void {
    this.hub.detach(meta.id, listenerId);
    this.access.release(meta, listenerId, language);
  }

  onModuleDestroy(): void {
    for (const sink of [...this.open]) sink.goAway();
    this.wss.close();
  }
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function error(code: string, message: string): string {
  return JSON.stringify({ type: 'error', code, message });
}

function joined(meta: RoomMeta, listenerId: string, language: string, after: string): string {
  return JSON.stringify({
    type: 'joined',
    room_id: meta.id,
    listener_id: listenerId,
    language,
    resumed: after !== '0',
    status: meta.ended ? 'ended' : 'live',
  });
}

function reject(socket: Duplex, error: unknown): void {
  const status = error instanceof RoomAccessError ? error.status : 503;
  const code = error instanceof RoomAccessError ? error.code : 'unavailable';
  const message = error instanceof RoomAccessError ? error.message : 'rooms are unavailable';
  const body = JSON.stringify({ statusCode: status, code, message });
  socket.end(
    [
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
      'Connection: close',
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n'),
  );
}
