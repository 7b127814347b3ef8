import { Injectable, Logger } from '@nestjs/common';
import { StoredResult } from '../utterance/result-stream.service';
import { RoomEntryFrame } from './room-frames';
import { RoomStoreService } from './room-store.service';

interface Speaking {
  roomId: string;
  label: string;
  chain: Promise<void>;
}

const ATTEMPTS = 8;

/**
 * Copies what a speaker's session delivered (finals and final translations, each once, in its
 * outbox order) into the room's stream. Called synchronously by the session's delivery; the
 * writes run on one promise chain per session so the room sees them in order.
 */
@Injectable()
export class RoomPublisherService {
  private readonly logger = new Logger('RoomPublisher');
  private readonly speaking = new Map<string, Speaking>();

  constructor(private readonly store: RoomStoreService) {}

  register(sessionId: string, roomId: string, label: string): void {
    const current = this.speaking.get(sessionId);
    this.speaking.set(sessionId, { roomId, label, chain: current?.chain ?? Promise.resolve() });
  }

  unregister(sessionId: string): void {
    this.speaking.delete(sessionId);
  }

  roomOf(sessionId: string): string | undefined {
    return this.speaking.get(sessionId)?.roomId;
  }

  /** Never throws: delivery to the speaker must not depend on the room. */
  delivered(sessionId: string, stored: StoredResult): void {
    const speaking = this.speaking.get(sessionId);
    if (!speaking) return;
    const entry = toRoomEntry(sessionId, speaking.label, stored);
    if (!entry) return;
    speaking.chain = speaking.chain.then(() => this.write(speaking.roomId, entry));
  }

  /** Resolves once what was handed over so far is in the room stream (tests, shutdown). */
  async flushed(sessionId: string): Promise<void> {
    await this.speaking.get(sessionId)?.chain;
  }

  private async write(roomId: string, entry: RoomWrite): Promise<void> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      try {
        await this.store.publish(roomId, entry.frame, entry.dedupe, entry.seqField);
        return;
      } catch (error) {
        if (attempt === 0) {
          this.logger.warn(`Room ${roomId} waits for Redis: ${(error as Error).message}`);
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * 2 ** attempt)));
      }
    }
    this.logger.error(`Room ${roomId}: a ${entry.frame.type} could not be published`);
  }
}

export interface RoomWrite {
  frame: RoomEntryFrame;
  dedupe: string;
  seqField: string;
}

/** The room entry for a delivered result (finals with text and final translations only). */
export function toRoomEntry(
  sessionId: string,
  speaker: string,
  stored: StoredResult,
): RoomWrite | undefined {
  const m = stored.message;
  if (m.type === 'final' && m.text.trim() !== '') {
    return {
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
