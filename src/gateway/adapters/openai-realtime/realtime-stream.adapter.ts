import { type RawData } from 'ws';
import { sendJson } from '../../ws/send-json';
import {
  type ErrorFrame,
  type FinalFrame,
  type InterimFrame,
  type ServerFrame,
} from '../../../contracts/stream-frames';
import { LiveSession } from '../../session-core/live-session';
import {
  type FrameContext,
  type SessionOutput,
  type SpeechStarted,
  type UtteranceEnded,
} from '../../session-core/session-port';
import { type StreamAdapter, type StreamConnection } from '../../ws/stream-adapter';
import { RealtimeAudioDecoder } from './realtime-audio-decoder';
import {
  parseRealtimeClientEvent,
  type RealtimeClientEvent,
  RealtimeEventError,
} from './realtime-client-events';
import { RealtimeItems } from './realtime-items';
import {
  cleared,
  committed,
  errorEvent,
  itemCreated,
  newSessionId,
  type RealtimeServerEvent,
  sessionEvent,
  speechStarted,
  speechStopped,
  TranscriptDeltas,
  transcriptionCompleted,
  transcriptionDelta,
  transcriptionFailed,
} from './realtime-server-events';
import { RealtimeSessionSettings, silenceSecondsOf } from './realtime-session-settings';
import { utteranceIndex } from '../../../contracts/utterance-ids';
import { realtimeTurnTiming } from '../../../turns';

/**
 * OpenAI's Realtime API in transcription mode on `/v1/realtime` (docs/openai-realtime.md):
 * JSON events in, base64 audio in `input_audio_buffer.append`; the session's utterances go out
 * as conversation items (speech started/stopped, committed, transcription deltas, completed).
 * `?intent=transcription` speaks the beta dialect (`transcription_session.*`), otherwise GA.
 */
export const openAiRealtimeAdapter: StreamAdapter = {
  name: 'openai-realtime',
  textFramesCarryAudio: true,
  connect(connection: StreamConnection): LiveSession {
    return new OpenAiRealtimeSocket(connection).session;
  },
};

class OpenAiRealtimeSocket implements SessionOutput {
  readonly session: LiveSession;
  private readonly settings: RealtimeSessionSettings;
  private readonly items = new RealtimeItems();
  private readonly deltas = new TranscriptDeltas();
  private audioStarted = false;

  constructor(private readonly connection: StreamConnection) {
    const { ws, query, deps } = connection;
    const dialect = query.get('intent') === 'transcription' ? 'beta' : 'ga';
    this.settings = new RealtimeSessionSettings(
      newSessionId(),
      dialect,
      query.get('model') ?? undefined,
    );
    this.session = new LiveSession(deps, this, {
      ...connection.options,
      decoder: () => new RealtimeAudioDecoder(() => this.settings.format),
      silenceThresholdSeconds: silenceSecondsOf(this.settings.view.turnDetection),
    });
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', () => void this.session.transportClosed());
    ws.on('error', (error: Error & { code?: string }) => {
      deps.metrics.reject(
        error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'too_big' : 'socket_error',
      );
    });
    this.emit(sessionEvent(this.settings.view, 'created'));
    this.session.start({ config: { source: 'auto', interim_results: true } });
  }

  send(frame: ServerFrame, context: FrameContext): void {
    switch (frame.type) {
      case 'realtime':
        this.onInterim(frame);
        return;
      case 'final':
        this.onFinal(frame, context.sent);
        return;
      case 'error':
        this.onError(frame, context.sent);
        return;
      default:
        // session, translation, warning, room, closed: nothing an OpenAI client knows about.
        context.sent?.();
        return;
    }
  }

  close(code: number, reason: string): void {
    this.connection.ws.close(code, reason);
  }

  speechStarted(event: SpeechStarted): void {
    const itemId = this.items.started(event.utterance);
    // Without server VAD OpenAI announces no speech: the client decides where turns end.
    if (!this.settings.manualTurns) this.emit(speechStarted(itemId, event.atSec * 1000));
  }

  utteranceEnded(event: UtteranceEnded): void {
    const item = this.items.ended(event.utterance, event.index);
    if (!item) return;
    if (event.reason !== 'finalize' && !this.settings.manualTurns) {
      this.emit(speechStopped(item.itemId, (event.speechEndSec ?? event.endSec) * 1000));
    }
    this.emit(committed(item.itemId, item.previousItemId));
    this.emit(itemCreated(this.settings.view.dialect, item.itemId, item.previousItemId));
  }

  private onInterim(frame: InterimFrame): void {
    const itemId = this.items.forInterim(utteranceIndex(frame.utterance_id));
    if (!itemId || frame.committed === undefined) return;
    const delta = this.deltas.next(itemId, frame.committed);
    if (delta) this.emit(transcriptionDelta(itemId, delta));
  }

  private onFinal(frame: FinalFrame, sent?: () => void): void {
    const { itemId, silent } = this.items.finished(utteranceIndex(frame.utterance_id));
    for (const silentItem of silent) this.complete(silentItem, '', 0);
    if (!itemId) {
      sent?.();
      return;
    }
    // Deltas only carry settled words: the rest of the transcript, when it extends them.
    const rest = this.deltas.next(itemId, frame.text);
    if (rest) this.emit(transcriptionDelta(itemId, rest));
    this.complete(itemId, frame.text.trim(), frame.end - frame.start, sent);
  }

  private complete(itemId: string, transcript: string, seconds: number, sent?: () => void): void {
    this.deltas.done(itemId);
    this.emit(transcriptionCompleted(itemId, transcript, seconds), sent);
  }

  private onError(frame: ErrorFrame, sent?: () => void): void {
    if (frame.utterance_id === undefined) {
      // Session-level errors (unavailable, overloaded, internal, enqueue failures) are ours.
      const error = new RealtimeEventError(frame.message, null, undefined, frame.code);
      this.emit(errorEvent(error, 'server_error'));
      return;
    }
    const { itemId, silent } = this.items.finished(utteranceIndex(frame.utterance_id));
    for (const silentItem of silent) this.complete(silentItem, '', 0);
    if (!itemId) {
      sent?.();
      return;
    }
    this.deltas.done(itemId);
    this.emit(transcriptionFailed(itemId, frame.code, frame.message), sent);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (isBinary) {
      this.emit(
        errorEvent(
          new RealtimeEventError(
            'binary frames are not accepted: send audio in input_audio_buffer.append events',
            null,
            undefined,
            'invalid_json',
          ),
        ),
      );
      return;
    }
    const text = Buffer.isBuffer(data)
      ? data.toString('utf8')
      : Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.from(data).toString('utf8');
    let event: RealtimeClientEvent;
    try {
      event = parseRealtimeClientEvent(text);
    } catch (error) {
      this.refuse(error);
      return;
    }
    try {
      this.handle(event);
    } catch (error) {
      this.refuse(error);
    }
  }

  private handle(event: RealtimeClientEvent): void {
    switch (event.type) {
      case 'session.update': {
        const changes = this.settings.apply(event.update, this.audioStarted, event.eventId);
        if (changes.source !== undefined) this.session.configure({ source: changes.source });
        if (changes.silenceSeconds !== undefined) {
          this.session.silenceThreshold(changes.silenceSeconds);
        }
        if (changes.semantic) {
          this.session.turnDetection(
            realtimeTurnTiming(
              { type: 'semantic_vad', eagerness: changes.semantic.eagerness },
              this.connection.deps.turnTiming,
            ),
          );
        }
        this.emit(sessionEvent(this.settings.view, 'updated'));
        return;
      }
      case 'input_audio_buffer.append':
        this.audioStarted = true;
        if (event.audio.length > 0) this.session.audio(event.audio);
        return;
      case 'input_audio_buffer.commit':
        this.session.finalize((ended) => {
          if (ended) return;
          this.emit(
            errorEvent(
              new RealtimeEventError(
                'Error committing input audio buffer: no speech was heard since the last commit.',
                null,
                event.eventId,
                'input_audio_buffer_commit_empty',
              ),
            ),
          );
        });
        return;
      case 'input_audio_buffer.clear':
        this.session.discard((index) => {
          this.items.discarded(index);
          this.emit(cleared());
        });
        return;
    }
  }

  private refuse(error: unknown): void {
    if (error instanceof RealtimeEventError) {
      this.connection.deps.metrics.reject(`openai_${error.code}`);
      this.emit(errorEvent(error));
      return;
    }
    const internal = new RealtimeEventError(
      'the event could not be handled',
      null,
      undefined,
      'internal',
    );
    this.emit(errorEvent(internal, 'server_error'));
  }

  /** `sent` once the event is written (delivery records what the client got). */
  private emit(event: RealtimeServerEvent, sent?: () => void): void {
    sendJson(this.connection.ws, event, sent);
  }
}
