import { type InterimFrame } from '../contracts/stream-frames';
import { type StoredResult } from '../utterance/result-stream.service';
import { type RoomFinal, type RoomInterim, type RoomTranslation } from './room-frames';

/** What a speaker's session hands to its room: an interim it sent, or a result it delivered. */
export type SpeakerCaption =
  | {
      kind: 'interim';
      frame: InterimFrame;
      /** The language of `frame.translation` (the session's first target). */
      translationLanguage?: string;
    }
  | { kind: 'delivered'; stored: StoredResult };

/**
 * A caption as the room keeps it: finals and final translations are appended to the room stream
 * once each (`dedupe`) so listeners can replay them; interims are only published live.
 */
export type RoomWrite =
  | { kind: 'stored'; frame: RoomFinal | RoomTranslation; dedupe: string; seqField: string }
  | { kind: 'live'; frame: RoomInterim };

/**
 * The room's form of a speaker's caption: finals with text, final translations and interims (not
 * the echo of a final); undefined for anything else.
 */
export function toRoomWrite(
  sessionId: string,
  speaker: string,
  caption: SpeakerCaption,
): RoomWrite | undefined {
  if (caption.kind === 'interim') {
    const { frame, translationLanguage } = caption;
    if (frame.final) return undefined;
    return {
      kind: 'live',
      frame: {
        type: 'realtime',
        speaker,
        utterance_id: frame.utterance_id,
        text: frame.text,
        language: frame.language,
        translations:
          frame.translation && translationLanguage
            ? { [translationLanguage]: frame.translation }
            : undefined,
      },
    };
  }
  const m = caption.stored.message;
  if (m.type === 'final' && m.text.trim() !== '') {
    return {
      kind: 'stored',
      frame: {
        type: 'final',
        speaker,
        utterance_id: m.utteranceId,
        text: m.text,
        language: m.language,
        start: m.start,
        end: m.end,
      },
      dedupe: `f:${sessionId}:${m.index}`,
      seqField: `${sessionId}:${m.index}`,
    };
  }
  if (m.type === 'translation' && m.kind === 'final') {
    return {
      kind: 'stored',
      frame: {
        type: 'translation',
        speaker,
        utterance_id: m.utteranceId,
        language: m.language,
        source: m.source,
        text: m.text,
      },
      dedupe: `t:${sessionId}:${m.index}:${m.language}`,
      seqField: `${sessionId}:${m.index}`,
    };
  }
  return undefined;
}
