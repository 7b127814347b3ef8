import { type RawData, WebSocket } from 'ws';
import { ProtocolError } from '../../../contracts/protocol-error';
import { type ServerFrame } from '../../../contracts/stream-frames';
import { utteranceIndex } from '../../../contracts/utterance-ids';
import { TelephonyAudioDecoder } from '../../audio/telephony-audio-decoder';
import { LiveSession } from '../../session-core/live-session';
import { type FrameContext, type SessionOutput } from '../../session-core/session-port';
import { type StreamAdapter, type StreamConnection } from '../../ws/stream-adapter';
import { rawDataBuffer } from '../../ws/raw-data';
import { sendJson } from '../../ws/send-json';
import { type FluxConfigure, FluxControlError, parseFluxControl } from './flux-client-messages';
import { applyFluxConfigure } from './flux-configure';
import { type FluxOptions, FluxOptionsError, parseFluxOptions } from './flux-options';
import {
  fluxConfigureFailure,
  fluxConfigureSuccess,
  fluxConnected,
  fluxError,
  type FluxMessageContext,
  fluxTurnInfo,
  type FluxServerMessage,
} from './flux-server-messages';
import { fluxTurnTiming } from './flux-turn-timing';
import { type FluxTurnInput, FluxTurns, type FluxTurnSettings } from './flux-turns';

/**
 * Deepgram Flux (`/v2/listen`) on the session core, in semantic turn mode: raw audio in binary
 * frames, Configure, ForceEndTurn and CloseStream as JSON; Connected, TurnInfo,
 * ConfigureSuccess/Failure and Error out. The turn logic is in flux-turns.ts and
 * flux-turn-timing.ts; this class only moves frames.
 */
export const fluxListenAdapter: StreamAdapter = {
  name: 'deepgram-flux',
  refuse(query) {
    try {
      parseFluxOptions(query);
      return undefined;
    } catch (error) {
      if (error instanceof FluxOptionsError) return error.message;
      throw error;
    }
  },
  connect(connection) {
    return new FluxSocket(connection, parseFluxOptions(connection.query)).session;
  },
};

const turnSettings = (options: FluxOptions): FluxTurnSettings => ({
  eager: options.eagerEotThreshold !== undefined,
  multilingual: options.model === 'flux-general-multi',
  languageHints: options.languageHints,
});

class FluxSocket implements SessionOutput {
  readonly session: LiveSession;
  private readonly turns: FluxTurns;
  private requestId = '';
  private sequenceId = 0;
  private decoder?: TelephonyAudioDecoder;

  constructor(
    private readonly connection: StreamConnection,
    private options: FluxOptions,
  ) {
    const { ws, deps } = connection;
    this.turns = new FluxTurns(turnSettings(options));
    this.session = new LiveSession(deps, this, {
      ...connection.options,
      decoder: () =>
        (this.decoder = new TelephonyAudioDecoder(options.encoding, options.sampleRate, 1)),
    });
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', () => void this.session.transportClosed());
    ws.on('error', () => deps.metrics.reject('socket_error'));
    this.session.start({
      config: {
        source: options.model === 'flux-general-en' ? 'en' : 'auto',
        interim_results: true,
        realtime_finals: false,
      },
    });
    this.session.turnDetection(fluxTurnTiming(options, deps.turnTiming));
  }

  send(frame: ServerFrame, context: FrameContext): void {
    switch (frame.type) {
      case 'session':
        this.requestId = frame.session_id;
        this.write((c) => fluxConnected(c), context.sent);
        return;
      case 'realtime':
        if (frame.final) break;
        this.turn(
          {
            type: 'interim',
            index: utteranceIndex(frame.utterance_id),
            text: frame.text,
            atSec: this.secondsIn,
          },
          context.sent,
        );
        return;
      case 'turn':
        this.turn({ type: 'turn', frame, atSec: this.secondsIn }, context.sent);
        return;
      case 'final':
        this.turn(
          {
            type: 'final',
            index: utteranceIndex(frame.utterance_id),
            text: frame.text,
            start: frame.start,
            end: frame.end,
            words: frame.words,
            language: frame.language,
            fromFinalize: context.fromFinalize === true,
          },
          context.sent,
        );
        return;
      case 'error':
        if (frame.utterance_id) {
          this.turns.step({ type: 'lost', index: utteranceIndex(frame.utterance_id) });
        }
        // Said, not skipped: the SDK passes an Error on to the application.
        this.write((c) => fluxError(frame.code, frame.message, c), context.sent);
        return;
      default:
        // Translations, rooms, warnings and `closed` have no Flux counterpart.
        context.sent?.();
    }
  }

  close(code: number, reason: string): void {
    this.connection.ws.close(code, reason);
  }

  speechStarted(event: { atSec: number }): void {
    this.turn({ type: 'speech-started', atSec: event.atSec });
  }

  private get secondsIn(): number {
    return this.decoder?.secondsIn ?? 0;
  }

  private turn(input: FluxTurnInput, sent?: () => void): void {
    const out = this.turns.step(input);
    if (out) this.write((c) => fluxTurnInfo(out.event, out.turn, c), sent);
    else sent?.();
  }

  /** Every message takes the next sequence_id, in the order they are written. */
  private write(build: (context: FluxMessageContext) => FluxServerMessage, sent?: () => void) {
    // A closed socket takes no sequence_id.
    if (this.connection.ws.readyState !== WebSocket.OPEN) return;
    sendJson(
      this.connection.ws,
      build({ requestId: this.requestId, sequenceId: this.sequenceId++ }),
      sent,
    );
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const buffer = rawDataBuffer(data);
    if (isBinary) {
      this.session.audio(buffer);
      return;
    }
    let control;
    try {
      control = parseFluxControl(buffer.toString('utf8'));
    } catch (error) {
      if (error instanceof FluxControlError && error.code === 'INVALID_CONFIGURE') {
        this.write((c) => fluxConfigureFailure(c));
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      this.connection.deps.metrics.reject('bad_message');
      // Through the session, so the Error keeps its place among the session's messages.
      this.session.reject(new ProtocolError('UNPARSABLE_CLIENT_MESSAGE', message));
      return;
    }
    if (control.type === 'Configure') this.configure(control);
    else if (control.type === 'ForceEndTurn') this.session.finalize();
    else this.session.drain();
  }

  private configure(configure: FluxConfigure): void {
    let next: FluxOptions;
    try {
      next = applyFluxConfigure(this.options, configure);
    } catch (error) {
      if (!(error instanceof FluxOptionsError)) throw error;
      this.write((c) => fluxConfigureFailure(c));
      return;
    }
    this.options = next;
    this.turns.configure(turnSettings(next));
    this.session.turnDetection(fluxTurnTiming(next, this.connection.deps.turnTiming));
    this.write((c) => fluxConfigureSuccess(next, c));
  }
}
