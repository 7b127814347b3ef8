import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { RawData, WebSocket } from 'ws';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { ApiKeyService } from '../persistence/api-keys/api-key.service';
import { UsageService } from '../persistence/usage/usage.service';
import { CloseCode } from '../contracts/close-codes';
import { ConnectionPolicy, isRefreshRequest, Verdict } from './connection-policy';
import { Principal } from './principal';
import { RevocationService } from './revocation.service';
import { SecurityMetrics } from './security.metrics';
import { SecurityStoreService } from './security-store.service';
import { TokenIssuerService } from './token-issuer.service';

const SWEEP_MS = 1000;
const SLOT_REFRESH_MS = 10_000;
/** A session slot not refreshed for this long belonged to a gateway that died. */
const SLOT_STALE_MS = 45_000;
const QUOTA_REREAD_MS = 30_000;
/**
 * Open sessions' keys are re-checked this often (cache, database on a miss): a revocation whose
 * pub/sub message was missed (Redis down, subscriber reconnecting) still closes them.
 */
const KEY_RECHECK_MS = 15_000;
const TERMINATE_AFTER_CLOSE_MS = 2000;

/** What a session charges its audio to (pace, hourly quota, usage). */
export interface AudioMeter {
  /**
   * Before a frame is queued: its seconds estimated from its size and the declared format, and
   * the bytes that would then wait to be decoded. False: refused, the connection is closing.
   */
  admit(seconds: number, pendingBytes: number): boolean;
  /** Once decoded: the decoder's own seconds for a frame admitted with `estimated`. */
  decoded(seconds: number, estimated: number): void;
}

interface Guarded {
  ws: WebSocket;
  principal: Principal;
  policy: ConnectionPolicy;
  slot?: string;
  alive: boolean;
  lastPing: number;
  lastQuotaRead: number;
  ended: boolean;
}

/**
 * Enforces the per-connection and per-key limits on open sockets, next to the gateway's own
 * handling: it listens to the same socket, and closes it with a clear code when a limit is
 * passed. Also answers `{"type":"refresh"}` with a new session token, and closes every session
 * of a key when the key is revoked (1008).
 */
@Injectable()
export class SessionGuardService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('SessionGuard');
  private readonly guarded = new Set<Guarded>();
  private sweeper?: NodeJS.Timeout;
  private lastSlotRefresh = Date.now();
  private lastKeyRecheck = Date.now();
  private stopRevocations?: () => void;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: SecurityStoreService,
    private readonly usage: UsageService,
    private readonly revocations: RevocationService,
    private readonly issuer: TokenIssuerService,
    private readonly metrics: SecurityMetrics,
    private readonly apiKeys: ApiKeyService,
  ) {}

  onModuleInit(): void {
    this.stopRevocations = this.revocations.onRevoked((keyId) => this.closeKey(keyId));
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
    this.stopRevocations?.();
  }

  get size(): number {
    return this.guarded.size;
  }

  /**
   * Guards an open socket; returns the meter the connection reports decoded audio to. A protocol
   * whose text frames carry audio (OpenAI Realtime's base64 appends) gets the audio frame size
   * limit for them instead of MAX_CONTROL_BYTES.
   */
  attach(
    ws: WebSocket,
    principal: Principal,
    options: { textFramesCarryAudio?: boolean } = {},
  ): AudioMeter {
    const security = this.config.security;
    const now = Date.now();
    const entry: Guarded = {
      ws,
      principal,
      policy: new ConnectionPolicy(
        {
          messagesPerSecond: principal.limits.messagesPerSecond ?? security.messagesPerSecond,
          maxRealtimeFactor: security.maxRealtimeFactor,
          audioBurstSeconds: security.audioBurstSeconds,
          maxControlBytes: options.textFramesCarryAudio
            ? this.config.gateway.maxFrameBytes
            : security.maxControlBytes,
          idleTimeoutMs: security.idleTimeoutSeconds * 1000,
          maxSessionMs: security.maxSessionSeconds * 1000,
          maxBufferedBytes: security.maxBufferedBytes,
          maxPendingAudioBytes: security.maxPendingAudioBytes,
          audioSecondsPerHour: principal.limits.audioSecondsPerHour,
        },
        now,
      ),
      alive: true,
      lastPing: now,
      lastQuotaRead: now,
      ended: false,
    };
    this.guarded.add(entry);
    ws.on('pong', () => (entry.alive = true));
    ws.on('message', (data, isBinary) => this.onMessage(entry, data, isBinary));
    ws.once('close', () => this.detach(entry));
    void this.admit(entry);
    return {
      admit: (seconds, pendingBytes) => this.admitAudio(entry, seconds, pendingBytes),
      decoded: (seconds, estimated) => this.onDecoded(entry, seconds, estimated),
    };
  }

  private admitAudio(entry: Guarded, seconds: number, pendingBytes: number): boolean {
    if (entry.ended) return false;
    const verdict = entry.policy.admitAudio(Date.now(), seconds, pendingBytes);
    if (!verdict) return true;
    this.enforce(entry, verdict);
    return verdict.admitted === true;
  }

  /** Usage is what the decoder counted; pace and quota get the difference to the estimate. */
  private onDecoded(entry: Guarded, seconds: number, estimated: number): void {
    if (seconds > 0) this.usage.recordAudio(entry.principal.keyId, seconds);
    if (entry.ended) return;
    const beyond = seconds - estimated;
    if (beyond < 0) {
      entry.policy.refund(-beyond);
      return;
    }
    const verdict = beyond > 0 ? entry.policy.onAudio(Date.now(), beyond) : undefined;
    if (verdict) this.enforce(entry, verdict);
  }

  /** Per-key checks that need Redis or the database: concurrent sessions and hourly quota. */
  private async admit(entry: Guarded): Promise<void> {
    const { keyId, limits } = entry.principal;
    if (keyId === null) return;
    try {
      if (limits.maxConcurrentSessions !== null) {
        const slot = randomUUID();
        const admitted = await this.store.acquireSlot(
          keyId,
          slot,
          limits.maxConcurrentSessions,
          SLOT_STALE_MS,
        );
        if (entry.ended) {
          if (admitted) await this.store.releaseSlot(keyId, slot);
          return;
        }
        if (!admitted) {
          this.enforce(entry, {
            code: CloseCode.TooManyStreams,
            error: 'too_many_streams',
            message: `this key may have at most ${limits.maxConcurrentSessions} open sessions`,
          });
          return;
        }
        entry.slot = slot;
      }
      if (limits.audioSecondsPerHour !== null) await this.readQuota(entry);
    } catch (error) {
      // Fail closed: without the shared counters the limits cannot be kept.
      this.logger.warn(`Limit check failed for key ${keyId}: ${(error as Error).message}`);
      this.enforce(entry, {
        code: CloseCode.TryAgainLater,
        error: 'unavailable',
        message: 'limits cannot be checked right now: try again later',
      });
    }
  }

  private async readQuota(entry: Guarded): Promise<void> {
    entry.lastQuotaRead = Date.now();
    const used = await this.usage.audioSecondsThisHour(entry.principal.keyId!);
    const verdict = entry.policy.setQuotaUsed(used);
    if (verdict) this.enforce(entry, verdict);
  }

  private onMessage(entry: Guarded, data: RawData, isBinary: boolean): void {
    if (entry.ended) return;
    const bytes = Array.isArray(data)
      ? data.reduce((sum, part) => sum + part.length, 0)
      : data instanceof ArrayBuffer
        ? data.byteLength
        : data.length;
    // A binary frame counts as a message here; its seconds are charged by the session (admit).
    const verdict = entry.policy.onFrame(Date.now(), bytes, isBinary ? 0 : undefined);
    if (verdict) {
      this.enforce(entry, verdict);
      return;
    }
    if (!isBinary && bytes <= 256) {
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : '';
      if (isRefreshRequest(text)) this.refresh(entry);
    }
  }

  private refresh(entry: Guarded): void {
    const keyId = entry.principal.keyId;
    if (keyId === null || !this.issuer.available) {
      this.send(entry, {
        type: 'error',
        code: 'refresh_unavailable',
        message: 'token refresh needs an authenticated session and a configured signing key',
      });
      return;
    }
    // Never mint a token for a key that is no longer active, whatever this process heard.
    this.keyActive(keyId)
      .then(async (active) => {
        if (entry.ended) return;
        if (!active) {
          this.closeKey(keyId);
          return;
        }
        const issued = await this.issuer.issue(entry.principal, 'refresh');
        if (!entry.ended) this.send(entry, { type: 'token', ...issued });
      })
      .catch((error: unknown) => {
        this.logger.warn(`Refresh check failed for key ${keyId}: ${(error as Error).message}`);
        this.send(entry, {
          type: 'error',
          code: 'refresh_unavailable',
          message: 'the key cannot be checked right now: try again later',
        });
      });
  }

  /** The key is neither revoked (marker) nor inactive (cache, database on a miss). */
  private async keyActive(keyId: string): Promise<boolean> {
    if (await this.revocations.isRevoked(keyId)) return false;
    return this.apiKeys.isActive(keyId);
  }

  /** Closes the sessions of keys found inactive; an unavailable store closes nothing. */
  private recheckKeys(): void {
    const keys = new Set<string>();
    for (const entry of this.guarded) {
      if (!entry.ended && entry.principal.keyId !== null) keys.add(entry.principal.keyId);
    }
    for (const keyId of keys) {
      this.keyActive(keyId).then(
        (active) => {
          if (!active) this.closeKey(keyId);
        },
        () => undefined,
      );
    }
  }

  private send(entry: Guarded, frame: Record<string, unknown>): void {
    if (entry.ws.readyState === WebSocket.OPEN) entry.ws.send(JSON.stringify(frame));
  }

  private enforce(entry: Guarded, verdict: Verdict): void {
    if (entry.ended) return;
    entry.ended = true;
    this.metrics.closed(verdict.error);
    this.send(entry, { type: 'error', code: verdict.error, message: verdict.message });
    entry.ws.close(verdict.code, verdict.message.slice(0, 120));
    // Nothing more is read from a connection past a limit (what was read is refused by admit).
    entry.ws.pause();
    // A peer that does not read never sees the close frame: drop it.
    setTimeout(() => entry.ws.terminate(), TERMINATE_AFTER_CLOSE_MS).unref();
  }

  private closeKey(keyId: string): void {
    for (const entry of this.guarded) {
      if (entry.principal.keyId !== keyId) continue;
      this.enforce(entry, {
        code: CloseCode.PolicyViolation,
        error: 'key_revoked',
        message: 'the API key of this session was revoked',
      });
    }
  }

  private detach(entry: Guarded): void {
    entry.ended = true;
    this.guarded.delete(entry);
    if (entry.slot && entry.principal.keyId) {
      this.store.releaseSlot(entry.principal.keyId, entry.slot).catch(() => undefined);
    }
  }

  private sweep(): void {
    const now = Date.now();
    const heartbeatMs = this.config.security.heartbeatSeconds * 1000;
    for (const entry of this.guarded) {
      if (entry.ended) continue;
      const verdict = entry.policy.check(now, entry.ws.bufferedAmount);
      if (verdict) {
        this.enforce(entry, verdict);
        continue;
      }
      if (heartbeatMs > 0 && now - entry.lastPing >= heartbeatMs) {
        if (!entry.alive) {
          this.metrics.closed('dead_peer');
          entry.ended = true;
          entry.ws.terminate();
          continue;
        }
        entry.alive = false;
        entry.lastPing = now;
        entry.ws.ping();
      }
      if (
        entry.principal.limits.audioSecondsPerHour !== null &&
        now - entry.lastQuotaRead >= QUOTA_REREAD_MS
      ) {
        this.readQuota(entry).catch(() => undefined);
      }
    }
    if (now - this.lastKeyRecheck >= KEY_RECHECK_MS) {
      this.lastKeyRecheck = now;
      this.recheckKeys();
    }
    if (now - this.lastSlotRefresh >= SLOT_REFRESH_MS) {
      this.lastSlotRefresh = now;
      const slots = [...this.guarded]
        .filter((entry) => entry.slot && entry.principal.keyId)
        .map((entry) => ({ keyId: entry.principal.keyId!, member: entry.slot! }));
      this.store.refreshSlots(slots, SLOT_STALE_MS).catch(() => undefined);
    }
  }
}
