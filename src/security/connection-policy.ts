import { CloseCode } from '../contracts/close-codes';

export interface Verdict {
  code: number;
  /** Machine-readable, sent as the `error` frame's code. */
  error: string;
  message: string;
  /** The audio frame that reached the limit is still processed (the hourly quota's last frame). */
  admitted?: true;
}

export interface PolicyLimits {
  messagesPerSecond: number;
  maxRealtimeFactor: number;
  audioBurstSeconds: number;
  maxControlBytes: number;
  idleTimeoutMs: number;
  maxSessionMs: number;
  maxBufferedBytes: number;
  /** Audio bytes received and not yet processed, per session. */
  maxPendingAudioBytes: number;
  /** null = no hourly quota. */
  audioSecondsPerHour: number | null;
}

/**
 * The per-connection limits as a pure state machine (time passed in): message rate (token
 * bucket of one second), audio pace (credit of `audioBurstSeconds`, refilled at
 * `maxRealtimeFactor` seconds per second), control frame size, hourly audio quota, idle time,
 * session length and unsent output.
 */
export class ConnectionPolicy {
  private messageTokens: number;
  private audioCredit: number;
  private lastRefill: number;
  private lastActivity: number;
  private readonly openedAt: number;
  /** Audio seconds of this key this hour as last read, plus what this connection sent since. */
  private quotaUsed = 0;

  constructor(
    private readonly limits: PolicyLimits,
    now: number,
  ) {
    this.messageTokens = limits.messagesPerSecond;
    this.audioCredit = limits.audioBurstSeconds;
    this.lastRefill = now;
    this.lastActivity = now;
    this.openedAt = now;
  }

  /** The hourly usage read from the store (replaces the running estimate). */
  setQuotaUsed(seconds: number): Verdict | undefined {
    this.quotaUsed = seconds;
    return this.quotaVerdict();
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.lastRefill) / 1000;
    this.lastRefill = now;
    const { messagesPerSecond, maxRealtimeFactor, audioBurstSeconds } = this.limits;
    this.messageTokens = Math.min(
      messagesPerSecond,
      this.messageTokens + elapsed * messagesPerSecond,
    );
    this.audioCredit = Math.min(audioBurstSeconds, this.audioCredit + elapsed * maxRealtimeFactor);
  }

  /** Any inbound frame; for audio, `audioSeconds` is its duration at the session's format. */
  onFrame(now: number, bytes: number, audioSeconds: number | undefined): Verdict | undefined {
    this.lastActivity = now;
    this.refill(now);
    this.messageTokens -= 1;
    if (this.messageTokens < 0) {
      return {
        code: CloseCode.RateLimited,
        error: 'rate_limited',
        message: `more than ${this.limits.messagesPerSecond} messages per second`,
      };
    }
    if (audioSeconds === undefined) {
      if (bytes > this.limits.maxControlBytes) {
        return {
          code: CloseCode.TooBig,
          error: 'message_too_big',
          message: `text frames are limited to ${this.limits.maxControlBytes} bytes`,
        };
      }
      return undefined;
    }
    return this.onAudio(now, audioSeconds);
  }

  /**
   * An audio frame before it is queued: `seconds` estimated from its size in the session's
   * declared format (0 before the session has one), `pendingBytes` what would then wait to be
   * decoded, itself included. A verdict refuses the frame.
   */
  admitAudio(now: number, seconds: number, pendingBytes: number): Verdict | undefined {
    if (pendingBytes > this.limits.maxPendingAudioBytes) {
      return {
        code: CloseCode.RateLimited,
        error: 'audio_backlog',
        message: `more than ${this.limits.maxPendingAudioBytes} bytes of audio waiting to be processed`,
      };
    }
    if (seconds <= 0) return undefined;
    const before = this.quotaUsed;
    const verdict = this.onAudio(now, seconds);
    const quota = this.limits.audioSecondsPerHour;
    // As when charged after decoding: the frame that uses the quota up counts (and is usage).
    if (verdict?.error === 'quota_exceeded' && quota !== null && before < quota) {
      return { ...verdict, admitted: true };
    }
    return verdict;
  }

  /** Seconds charged by an estimate that the decoder then counted fewer of. */
  refund(seconds: number): void {
    this.audioCredit = Math.min(this.limits.audioBurstSeconds, this.audioCredit + seconds);
    this.quotaUsed = Math.max(0, this.quotaUsed - seconds);
  }

  /**
   * Audio seconds charged to pace and quota: estimated as frames arrive (admitAudio), and the
   * decoder's own count beyond the estimate once decoded (audio sent before the session opened
   * has no estimate, so it is charged in the session's format when decoded).
   */
  onAudio(now: number, audioSeconds: number): Verdict | undefined {
    this.refill(now);
    this.audioCredit -= audioSeconds;
    if (this.audioCredit < 0) {
      return {
        code: CloseCode.RateLimited,
        error: 'audio_too_fast',
        message: `audio arrives faster than ${this.limits.maxRealtimeFactor}x real time`,
      };
    }
    this.quotaUsed += audioSeconds;
    return this.quotaVerdict();
  }

  private quotaVerdict(): Verdict | undefined {
    const quota = this.limits.audioSecondsPerHour;
    if (quota === null || this.quotaUsed < quota) return undefined;
    return {
      code: CloseCode.QuotaExceeded,
      error: 'quota_exceeded',
      message: `the key's quota of ${quota} audio seconds per hour is used up`,
    };
  }

  /** Periodic check of time-based limits and of the client's unread output. */
  check(now: number, bufferedBytes: number): Verdict | undefined {
    if (bufferedBytes > this.limits.maxBufferedBytes) {
      return {
        code: CloseCode.SlowReader,
        error: 'slow_reader',
        message: 'the client does not read its messages',
      };
    }
    if (this.limits.maxSessionMs > 0 && now - this.openedAt >= this.limits.maxSessionMs) {
      return {
        code: CloseCode.MaxDuration,
        error: 'max_duration',
        message: 'the session reached its maximum duration: reconnect with resume to continue',
      };
    }
    if (this.limits.idleTimeoutMs > 0 && now - this.lastActivity >= this.limits.idleTimeoutMs) {
      return {
        code: CloseCode.IdleTimeout,
        error: 'idle_timeout',
        message: 'nothing received for too long',
      };
    }
    return undefined;
  }
}

/** `{"type":"refresh"}` (the only control frame the security layer answers); cheap pre-check. */
export function isRefreshRequest(text: string): boolean {
  if (text.length > 256 || !text.includes('refresh')) return false;
  try {
    const value = JSON.parse(text) as unknown;
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<string, unknown>).type === 'refresh'
    );
  } catch {
    return false;
  }
}
