import { Injectable } from '@nestjs/common';
import { IncomingMessage } from 'node:http';
import { UsageService } from '../persistence/usage/usage.service';
import { UpgradeAuthService } from '../security/upgrade-auth.service';
import { OpenAiError } from './openai-error';

/** Who sent a request, as far as the API needs to know. */
export interface Caller {
  /** null: anonymous (AUTH_REQUIRED=false and no key presented). */
  keyId: string | null;
  audioSecondsPerHour: number | null;
  /** Whose places an upload takes: the key, or the client address for anonymous callers. */
  slotKey: string;
}

/**
 * API keys and usage for the OpenAI API: the same keys as every entry point (`stream` scope),
 * the same failed-auth counters; uploads count as sessions with their audio seconds.
 */
@Injectable()
export class OpenAiCallersService {
  /** Seconds held per key by uploads being decoded. */
  private readonly held = new Map<string, number>();
  /** Per key: the end of the last quota decision queued, so decisions run one at a time. */
  private readonly turns = new Map<string, Promise<void>>();

  constructor(
    private readonly auth: UpgradeAuthService,
    private readonly usage: UsageService,
  ) {}

  async authorize(request: IncomingMessage): Promise<Caller> {
    const decision = await this.auth.authorize(request, {
      mode: 'http',
      scope: 'stream',
      anonymousWhenAuthOff: true,
    });
    if (!decision.ok) {
      throw new OpenAiError(decision.status, decision.reason, null, 'invalid_api_key');
    }
    return {
      keyId: decision.principal.keyId ?? null,
      audioSecondsPerHour: decision.principal.limits?.audioSecondsPerHour ?? null,
      slotKey: decision.principal.keyId ?? `ip:${this.auth.clientAddress(request)}`,
    };
  }

  /**
   * Holds `seconds` of the key's audio seconds per hour for an upload about to be decoded, or
   * refuses it (429). Holds of one key are decided one at a time, counting the holds still open,
   * so parallel uploads cannot all pass a check made before any of them was counted. Other
   * gateways see this one's usage once it is written (ARCHIVE_FLUSH_MS).
   */
  reserve(caller: Caller, seconds: number): Promise<QuotaHold> {
    return this.oneAtATime(caller, async () => {
      await this.check(caller, seconds, 0);
      return this.hold(caller, seconds);
    });
  }

  private hold(caller: Caller, seconds: number): QuotaHold {
    const key = caller.keyId ?? '';
    this.add(key, seconds);
    let open = true;
    const release = (): void => {
      if (!open) return;
      open = false;
      this.add(key, -seconds);
    };
    return {
      release,
      settle: (actual) =>
        this.oneAtATime(caller, async () => {
          if (!open) throw new Error('quota hold already settled');
          try {
            // This upload's own hold does not count against it.
            await this.check(caller, actual, seconds);
          } finally {
            release();
          }
          this.usage.recordSessionStart(caller.keyId);
          this.usage.recordAudio(caller.keyId, actual);
        }),
    };
  }

  private async check(caller: Caller, seconds: number, ownHold: number): Promise<void> {
    if (caller.keyId === null || caller.audioSecondsPerHour === null) return;
    const used = await this.usage.audioSecondsThisHour(caller.keyId);
    const held = (this.held.get(caller.keyId) ?? 0) - ownHold;
    if (used + held + seconds > caller.audioSecondsPerHour) {
      throw new OpenAiError(
        429,
        `this file (${Math.ceil(seconds)} s) would exceed the key's ${caller.audioSecondsPerHour} audio seconds per hour`,
        null,
        'quota_exceeded',
      );
    }
  }

  private add(key: string, seconds: number): void {
    const total = (this.held.get(key) ?? 0) + seconds;
    if (total > 1e-9) this.held.set(key, total);
    else this.held.delete(key);
  }

  private oneAtATime<T>(caller: Caller, work: () => Promise<T>): Promise<T> {
    const key = caller.keyId ?? '';
    const result = (this.turns.get(key) ?? Promise.resolve()).then(work);
    const turn = result.then(
      () => undefined,
      () => undefined,
    );
    this.turns.set(key, turn);
    void turn.then(() => {
      if (this.turns.get(key) === turn) this.turns.delete(key);
    });
    return result;
  }
}

/** Audio seconds held for one upload until its decoded length is known. */
export interface QuotaHold {
  /** Checks the decoded length against the quota (429), records it as usage, ends the hold. */
  settle(seconds: number): Promise<void>;
  /** Ends the hold without recording anything (the upload failed before transcription). */
  release(): void;
}
