import { type RawData, WebSocket } from 'ws';
import { rawDataBuffer } from '../../ws/raw-data';
import { parseClientMessage } from '../../protocol/client-messages';
import { type ProtocolError } from '../../../contracts/protocol-error';
import { RealtimeEcho } from '../../protocol/realtime-echo';
import { type ServerFrame } from '../../../contracts/stream-frames';
import { configFromQuery } from '../../protocol/session-config';
import { LiveSession } from '../../session-core/live-session';
import { parseResume } from '../../session-core/resume-request';
import { type FrameContext, type SessionOutput } from '../../session-core/session-port';
import { type StreamAdapter, type StreamConnection } from '../../ws/stream-adapter';

/** Unsent bytes above which `realtime` frames are skipped for a client. */
const SLOW_READER_BYTES = 1024 * 1024;

/**
 * The native protocol (docs/protocol.md) on `/v1/stream` (and `/`): binary frames are audio in
 * the session's configured format, text frames JSON control messages; results go out as the
 * session's own frames, in arrival order.
 */
export const nativeStreamAdapter: StreamAdapter = {
  name: 'native',
  connect(connection: StreamConnection): LiveSession {
    return new NativeStreamSocket(connection).session;
  },
};

class NativeStreamSocket implements SessionOutput {
  readonly session: LiveSession;
  private readonly echo = new RealtimeEcho();

  constructor(private readonly connection: StreamConnection) {
    const { ws, query, deps } = connection;
    this.session = new LiveSession(deps, this, connection.options);
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', () => void this.session.transportClosed());
    ws.on('error', (error: Error & { code?: string }) => {
      deps.metrics.reject(
        error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'too_big' : 'socket_error',
      );
    });
    try {
      const resume = parseResume(
        query.get('resume') ?? undefined,
        query.get('last_seq'),
        query.get('last_id'),
      );
      this.session.start({ resume, config: configFromQuery(query), roomQuery: query });
    } catch (error) {
      this.session.reject(error as ProtocolError);
    }
  }

  send(frame: ServerFrame, context: FrameContext): void {
    const { ws, deps } = this.connection;
    if (ws.readyState !== WebSocket.OPEN) return;
    // A client that does not read its socket gets no more previews; finals still queue (and are
    // in the session outbox for a resume anyway).
    if (frame.type === 'realtime' && ws.bufferedAmount > SLOW_READER_BYTES) {
      deps.metrics.reject('slow_reader');
      return;
    }
    ws.send(JSON.stringify(frame), (error) => {
      if (!error) context.sent?.();
    });
    const config = this.session.currentConfig;
    const echoes = config?.realtime_finals && config.interim_results;
    const echo = echoes ? this.echo.after(frame) : undefined;
    if (echo) ws.send(JSON.stringify(echo));
  }

  close(code: number, reason: string): void {
    this.connection.ws.close(code, reason);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const buffer = rawDataBuffer(data);
    if (isBinary) {
      this.session.audio(buffer);
      return;
    }
    let message;
    try {
      message = parseClientMessage(buffer.toString('utf8'));
    } catch (error) {
      this.connection.deps.metrics.reject((error as ProtocolError).code);
      this.session.reject(error as ProtocolError);
      return;
    }
    switch (message.type) {
      case 'config': {
        if (!('resume' in message.config)) {
          this.session.configure(message.config);
          return;
        }
        const { resume, last_seq, last_id, ...rest } = message.config as Record<string, unknown>;
        try {
          this.session.resumeInstead(parseResume(resume, last_seq, last_id, undefined), rest);
        } catch (error) {
          this.session.reject(error as ProtocolError);
        }
        return;
      }
      case 'finalize':
        this.session.finalize();
        return;
      case 'keepalive':
      case 'refresh': // answered by the security layer (src/security)
        this.session.keepalive();
        return;
      case 'close':
        this.session.drain();
        return;
    }
  }
}
