import { createHash } from 'node:crypto';
import { type RawData } from 'ws';
import { rawDataBuffer } from '../../ws/raw-data';
import { sendJson } from '../../ws/send-json';
import { type ServerFrame } from '../../../contracts/stream-frames';
import { TelephonyAudioDecoder } from '../../audio/telephony-audio-decoder';
import { ProtocolError } from '../../../contracts/protocol-error';
import { LiveSession } from '../../session-core/live-session';
import {
  type FrameContext,
  type SessionOutput,
  type UtteranceEnded,
} from '../../session-core/session-port';
import { type StreamAdapter, type StreamConnection } from '../../ws/stream-adapter';
import {
  type ListenContext,
  ListenControlError,
  listenMetadata,
  listenResults,
  listenSpeechStarted,
  listenUtteranceEnd,
  parseListenControl,
} from './listen-messages';
import { type ListenOptions, ListenOptionsError, parseListenOptions } from './listen-options';
import { utteranceIndex } from '../../../contracts/utterance-ids';

/** With `endpointing=false` only Finalize, CloseStream or the maximum utterance length end one. */
const NO_ENDPOINTING_SECONDS = 3600;
/** Utterance end reasons remembered until their final is sent (oldest forgotten first). */
const MAX_PENDING_ENDS = 64;

/**
 * Deepgram's live API (`/v1/listen`) on the session core: raw audio in binary frames, KeepAlive,
 * Finalize and CloseStream as JSON; Results, SpeechStarted, UtteranceEnd and Metadata out. Voice
 * agent frameworks built on Deepgram's SDKs change only their base URL and key.
 */
export const listenAdapter: StreamAdapter = {
  name: 'deepgram',
  refuse(query) {
    try {
      parseListenOptions(query);
      return undefined;
    } catch (error) {
      if (error instanceof ListenOptionsError) return error.message;
      throw error;
    }
  },
  connect(connection) {
    return new ListenSocket(connection, parseListenOptions(connection.query)).session;
  },
};

class ListenSocket implements SessionOutput {
  readonly session: LiveSession;
  private readonly context: ListenContext;
  private readonly audioHash = createHash('sha256');
  private readonly created = new Date();
  private decoder?: TelephonyAudioDecoder;
  /** Where the utterance being spoken began, for interim Results' start. */
  private speechStart = 0;
  /** Why each recent utterance ended, by index, until its final goes out. */
  private readonly endReasons = new Map<number, UtteranceEnded>();

  constructor(
    private readonly connection: StreamConnection,
    private readonly options: ListenOptions,
  ) {
    const { ws, deps } = connection;
    this.context = { requestId: '', model: deps.modelName };
    this.session = new LiveSession(deps, this, {
      ...connection.options,
      decoder: () =>
        (this.decoder = new TelephonyAudioDecoder(
          options.encoding,
          options.sampleRate,
          options.channels,
        )),
      silenceThresholdSeconds:
        options.endpointingMs === false
          ? NO_ENDPOINTING_SECONDS
          : options.endpointingMs === undefined
            ? undefined
            : options.endpointingMs / 1000,
    });
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', () => void this.session.transportClosed());
    ws.on('error', () => deps.metrics.reject('socket_error'));
    this.session.start({
      config: {
        source: options.language ?? 'auto',
        interim_results: options.interimResults,
        realtime_finals: false,
      },
    });
  }

  send(frame: ServerFrame, context: FrameContext): void {
    switch (frame.type) {
      case 'session':
        this.context.requestId = frame.session_id;
        return;
      case 'realtime':
        if (!this.options.interimResults) return;
        this.write(
          listenResults(
            {
              text: frame.text,
              start: this.speechStart,
              end: Math.max(this.speechStart, this.decoder?.secondsIn ?? 0),
              words: [],
            },
            { isFinal: false, speechFinal: false, fromFinalize: false },
            this.context,
          ),
        );
        return;
      case 'final':
        this.sendFinal(frame, context);
        return;
      case 'error':
        // Said, not skipped (a lost utterance, a refused message): Deepgram's SDKs pass unknown
        // message types on to the application.
        this.write(
          { type: 'Error', variant: frame.code, description: frame.message },
          context.sent,
        );
        return;
      case 'closed':
        this.write(
          listenMetadata(this.context, {
            sha256: this.audioHash.digest('hex'),
            durationSeconds: this.decoder?.secondsIn ?? 0,
            channels: this.options.channels,
            created: this.created,
          }),
        );
        return;
      default:
        // Translations, rooms and warnings have no Deepgram counterpart.
        context.sent?.();
    }
  }

  close(code: number, reason: string): void {
    this.connection.ws.close(code, reason);
  }

  speechStarted(event: { atSec: number }): void {
    this.speechStart = event.atSec;
    if (this.options.vadEvents) this.write(listenSpeechStarted(event.atSec));
  }

  utteranceEnded(event: UtteranceEnded): void {
    this.endReasons.set(event.index, event);
    if (this.endReasons.size > MAX_PENDING_ENDS) {
      this.endReasons.delete(this.endReasons.keys().next().value!);
    }
  }

  private sendFinal(frame: Extract<ServerFrame, { type: 'final' }>, context: FrameContext): void {
    const index = utteranceIndex(frame.utterance_id);
    const ended = this.endReasons.get(index);
    this.endReasons.delete(index);
    const fromFinalize = context.fromFinalize === true;
    const speechFinal = fromFinalize || ended === undefined || ended.reason !== 'max-length';
    this.write(
      listenResults(
        { text: frame.text, start: frame.start, end: frame.end, words: frame.words },
        { isFinal: true, speechFinal, fromFinalize },
        this.context,
      ),
      context.sent,
    );
    if (this.options.utteranceEndMs !== undefined && speechFinal) {
      const lastWord = frame.words[frame.words.length - 1];
      this.write(listenUtteranceEnd(lastWord?.end ?? frame.speech_end ?? frame.end));
    }
  }

  private write(message: object, sent?: () => void): void {
    sendJson(this.connection.ws, message, sent);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const buffer = rawDataBuffer(data);
    if (isBinary) {
      this.audioHash.update(buffer);
      this.session.audio(buffer);
      return;
    }
    let control;
    try {
      control = parseListenControl(buffer.toString('utf8'));
    } catch (error) {
      const message = error instanceof ListenControlError ? error.message : String(error);
      this.connection.deps.metrics.reject('bad_message');
      this.session.reject(new ProtocolError('invalid_message', message));
      return;
    }
    if (control === 'KeepAlive') this.session.keepalive();
    else if (control === 'Finalize') this.session.finalize();
    else this.session.drain();
  }
}
