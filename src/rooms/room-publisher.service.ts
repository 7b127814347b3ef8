import { Injectable, Logger } from '@nestjs/common';
import { RoomStoreService } from './room-store.service';
import { RoomWrite, SpeakerCaption, toRoomWrite } from './speaker-caption';

interface Speaking {
  roomId: string;
  label: string;
  chain: Promise<void>;
}

const ATTEMPTS = 8;

type StoredWrite = Extract<RoomWrite, { kind: 'stored' }>;

/**
 * The one way a speaker's captions reach its room: interims from its connection, and what its
 * session delivered (finals and final translations, each once, in its outbox order). Called
 * synchronously; stored writes run on one promise chain per session so the room sees them in
 * order, interims are published at once (a late preview is worth nothing).
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

  /** Never throws: what reaches the speaker must not depend on the room. */
  publish(sessionId: string, caption: SpeakerCaption): void {
    const speaking = this.speaking.get(sessionId);
    if (!speaking) return;
    const write = toRoomWrite(sessionId, speaking.label, caption);
    if (write?.kind === 'live') {
      this.store.publishInterim(speaking.roomId, write.frame).catch(() => undefined);
    } else if (write) {
      speaking.chain = speaking.chain.then(() => this.append(speaking.roomId, write));
    }
  }

  private async append(roomId: string, write: StoredWrite): Promise<void> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      try {
        await this.store.publish(roomId, write.frame, write.dedupe, write.seqField);
        return;
      } catch (error) {
        if (attempt === 0) {
          this.logger.warn(`Room ${roomId} waits for Redis: ${(error as Error).message}`);
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * 2 ** attempt)));
      }
    }
    this.logger.error(`Room ${roomId}: a ${write.frame.type} could not be published`);
  }
}
