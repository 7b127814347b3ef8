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
}

/**
 * API keys and usage for the OpenAI API: the same keys as every entry point (`stream` scope),
 * the same failed-auth counters; uploads count as sessions with their audio seconds.
 */
@Injectable()
export class OpenAiCallers {
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
    };
  }

  /** Refuses (429) a file that would take the key past its audio seconds per hour. */
  async checkQuota(caller: Caller, seconds: number): Promise<void> {
    if (caller.keyId === null || caller.audioSecondsPerHour === null) return;
    const used = await this.usage.audioSecondsThisHour(caller.keyId);
    if (used + seconds > caller.audioSecondsPerHour) {
      throw new OpenAiError(
        429,
        `this file (${Math.ceil(seconds)} s) would exceed the key's ${caller.audioSecondsPerHour} audio seconds per hour`,
        null,
        'quota_exceeded',
      );
    }
  }

  recordUpload(caller: Caller, seconds: number): void {
    this.usage.recordSessionStart(caller.keyId);
    this.usage.recordAudio(caller.keyId, seconds);
  }
}
