import { Injectable } from '@nestjs/common';
import { TranscriptArchiveService } from './transcript-archive.service';
import { TranscriptStore } from './transcript.store';
import { TranscriptEntry } from './transcript.types';

export interface StoredTranscript {
  sessionId: string;
  keyId: string;
  entries: TranscriptEntry[];
}

/** Reads and deletes archived sessions (the HTTP API and the admin tool). */
@Injectable()
export class TranscriptQueryService {
  constructor(
    private readonly store: TranscriptStore,
    private readonly archive: TranscriptArchiveService,
  ) {}

  /** The session's lines, after writing what this process still holds; undefined if none. */
  async find(sessionId: string): Promise<StoredTranscript | undefined> {
    await this.archive.flush();
    const entries = await this.store.findSession(sessionId);
    if (!entries[0]) return undefined;
    return { sessionId, keyId: entries[0].keyId, entries };
  }

  async ownerOf(sessionId: string): Promise<string | undefined> {
    await this.archive.flush();
    return this.store.ownerOf(sessionId);
  }

  /** Deletes the session's transcript for good (privacy request); returns the lines deleted. */
  delete(sessionId: string): Promise<number> {
    return this.archive.deleteSession(sessionId);
  }
}
