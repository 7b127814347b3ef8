import {
  PCM16_RATE,
  type RealtimeAudioFormat,
  RealtimeEventError,
  type RealtimeSessionUpdate,
} from './realtime-client-events';
import { type RealtimeSessionView } from './realtime-server-events';

/** OpenAI's server_vad defaults; a session starts with them until the client says otherwise. */
export const DEFAULT_TURN_DETECTION = {
  type: 'server_vad' as const,
  threshold: 0.5,
  prefixPaddingMs: 300,
  silenceDurationMs: 500,
};
/**
 * turn_detection null: the client commits. The VAD still runs (it finds the speech to send), but
 * silence never ends an utterance; only MAX_UTTERANCE_SECONDS still splits very long speech.
 */
export const MANUAL_TURN_SILENCE_SECONDS = 3600;
/** The model named when the client names none (any name is accepted: the loaded model serves). */
export const DEFAULT_MODEL = 'whisper-1';

/** What the live session must change after an update (absent: unchanged). */
export interface SessionChanges {
  /** The native `source`: a language code or 'auto'. */
  source?: string;
  /** server_vad (or manual commits): the silence that ends an utterance now. */
  silenceSeconds?: number;
  /** semantic_vad: its eagerness (the adapter maps it onto the session's turn timing). */
  semantic?: { eagerness: 'low' | 'medium' | 'high' | 'auto' };
}

const FORMAT_NAMES: Record<RealtimeAudioFormat['encoding'], RealtimeSessionView['format']> = {
  linear16: 'pcm16',
  mulaw: 'g711_ulaw',
  alaw: 'g711_alaw',
};

/** The silence that ends an utterance under a turn detection (null: manual commits). */
export function silenceSecondsOf(turnDetection: RealtimeSessionView['turnDetection']): number {
  if (turnDetection === null) return MANUAL_TURN_SILENCE_SECONDS;
  return turnDetection.type === 'semantic_vad'
    ? DEFAULT_TURN_DETECTION.silenceDurationMs / 1000
    : turnDetection.silenceDurationMs / 1000;
}

/**
 * One Realtime session's settings as the client sees them (echoed in session events) and the
 * audio format its appends are in. Pure: the adapter applies the returned changes.
 */
export class RealtimeSessionSettings {
  private current: RealtimeSessionView;
  private audioFormat: RealtimeAudioFormat = { encoding: 'linear16', sampleRate: PCM16_RATE };

  constructor(id: string, dialect: RealtimeSessionView['dialect'], model = DEFAULT_MODEL) {
    this.current = {
      id,
      dialect,
      format: 'pcm16',
      model,
      language: null,
      prompt: '',
      turnDetection: { ...DEFAULT_TURN_DETECTION },
    };
  }

  get view(): RealtimeSessionView {
    return this.current;
  }

  get format(): RealtimeAudioFormat {
    return this.audioFormat;
  }

  get manualTurns(): boolean {
    return this.current.turnDetection === null;
  }

  /**
   * Applies an update as a whole or not at all (a RealtimeEventError names the refused field).
   * The audio format is fixed once audio has been appended.
   */
  apply(update: RealtimeSessionUpdate, audioStarted: boolean, eventId?: string): SessionChanges {
    const next: RealtimeSessionView = { ...this.current, dialect: update.dialect };
    const changes: SessionChanges = {};
    if (update.format) {
      const name = FORMAT_NAMES[update.format.encoding];
      if (audioStarted && name !== this.current.format) {
        throw new RealtimeEventError(
          'the input audio format cannot change once audio was appended',
          update.dialect === 'beta' ? 'session.input_audio_format' : 'session.audio.input.format',
          eventId,
        );
      }
      next.format = name;
    }
    if (
      update.model !== undefined ||
      update.language !== undefined ||
      update.prompt !== undefined
    ) {
      // A transcription object replaces the previous one: a missing language means "detect".
      next.model = update.model ?? next.model;
      next.language = update.language ?? null;
      next.prompt = update.prompt ?? '';
      if (next.language !== this.current.language) changes.source = next.language ?? 'auto';
    }
    if (update.turnDetection !== undefined) {
      const asked = update.turnDetection;
      const before = this.current.turnDetection;
      next.turnDetection =
        asked === null
          ? null
          : asked.type === 'semantic_vad'
            ? { type: 'semantic_vad', eagerness: asked.eagerness ?? 'auto' }
            : {
                type: 'server_vad',
                threshold: asked.threshold ?? DEFAULT_TURN_DETECTION.threshold,
                prefixPaddingMs: asked.prefixPaddingMs ?? DEFAULT_TURN_DETECTION.prefixPaddingMs,
                silenceDurationMs:
                  asked.silenceDurationMs ?? DEFAULT_TURN_DETECTION.silenceDurationMs,
              };
      const after = next.turnDetection;
      if (after?.type === 'semantic_vad') {
        if (before?.type !== 'semantic_vad' || before.eagerness !== after.eagerness) {
          changes.semantic = { eagerness: after.eagerness };
        }
      } else if (
        before?.type === 'semantic_vad' ||
        silenceSecondsOf(after) !== silenceSecondsOf(before)
      ) {
        changes.silenceSeconds = silenceSecondsOf(after);
      }
    }
    if (update.format) this.audioFormat = update.format;
    this.current = next;
    return changes;
  }
}
