/** What a room's stream holds and what listeners receive (docs/rooms.md). */

/** The original (spoken) language, as a listener's choice. */
export const ORIGINAL = 'original';

export interface RoomFinal {
  type: 'final';
  speaker: string;
  utterance_id: string;
  text: string;
  language: string;
  start: number;
  end: number;
}

export interface RoomTranslation {
  type: 'translation';
  speaker: string;
  utterance_id: string;
  language: string;
  source: string;
  text: string;
}

export interface RoomEnded {
  type: 'ended';
  reason: 'room_ended';
  message: string;
}

/** One entry of a room stream: `seq` numbers the room's finals (translations carry their final's). */
export type RoomEntryFrame = RoomFinal | RoomTranslation | RoomEnded;

export interface RoomEntry {
  id: string;
  seq: number;
  frame: RoomEntryFrame;
}

/** An interim caption, published (not stored) by the speaker's gateway. */
export interface RoomInterim {
  type: 'realtime';
  speaker: string;
  utterance_id: string;
  text: string;
  language: string;
  /** Interim translations by language, when the speaker turned them on. */
  translations?: Record<string, string>;
}

/** An interim on its way to listeners: live only, so it has no stream position. */
export interface LiveEntry {
  frame: RoomInterim;
}

/** What the fan-out sends to listeners: stream entries (replayable) and live interims. */
export type RoomBroadcast = RoomEntry | LiveEntry;

export function parseEntry(id: string, fields: string[]): RoomEntry | undefined {
  let seq = 0;
  let body: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 's') seq = Number(fields[i + 1]);
    else if (fields[i] === 'f') body = fields[i + 1];
  }
  if (body === undefined) return undefined;
  try {
    return { id, seq, frame: JSON.parse(body) as RoomEntryFrame };
  } catch {
    return undefined;
  }
}
