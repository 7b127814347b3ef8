import { Injectable, Logger, Optional } from '@nestjs/common';
import { StoredResult } from '../../utterance/result-stream.service';
import { TranscriptArchiveService } from '../../persistence/transcripts/transcript-archive.service';
import { UsageService } from '../../persistence/usage/usage.service';
import { RoomPublisherService } from '../../rooms/room-publisher.service';

/**
 * What the gateway reports to the store of record: session starts (usage per key; audio seconds
 * are counted frame by frame by src/security/session-guard.service.ts) and every final and final translation delivered to a client (transcript archive). Every
 * call is synchronous and in memory (the persistence services write in batches), so delivery
 * and audio intake never wait on the database and never fail because of it.
 */
@Injectable()
export class SessionRecordsService {
  private readonly logger = new Logger('SessionRecords');

  constructor(
    private readonly usage: UsageService,
    private readonly archive: TranscriptArchiveService,
    /** A session published as a live room also feeds the room's stream (src/rooms). */
    @Optional() private readonly rooms?: RoomPublisherService,
  ) {}

  /** A new session was opened (not a resume). keyId null = anonymous (authentication off). */
  sessionStarted(keyId: string | null): void {
    this.usage.recordSessionStart(keyId);
  }

  /** A final or final translation from the session's result stream reached the client. */
  delivered(sessionId: string, keyId: string | null, stored: StoredResult): void {
    // record() never throws by design; should that ever break, the frames after this one in the
    // delivery batch must still go out.
    try {
      this.archive.record({ sessionId, keyId, streamId: stored.id, message: stored.message });
    } catch (error) {
      this.logger.error(`Archiving a result of session ${sessionId} failed: ${String(error)}`);
    }
    this.rooms?.publish(sessionId, { kind: 'delivered', stored });
  }
}
