import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { RedisConnectionFactory } from '../redis/redis-connection.factory';
import { RedisClient } from '../redis/redis.module';
import { subscribeWhenReady } from '../redis/subscribe-when-ready';

/**
 * What the gateway decided about a speculative final (the final's inference started before the
 * silence threshold passed): `confirm` (no speech came back: its result is the final; `at` is when
 * the threshold passed, the utterance's end for latency) or `cancel` (speech came back, or the
 * utterance ended otherwise: never deliver it).
 */
export type SpeculationVerdict = { kind: 'confirm'; at: number } | { kind: 'cancel' };

export function parseVerdict(value: string | null): SpeculationVerdict | null {
  if (value === 'cancel') return { kind: 'cancel' };
  const match = value === null ? null : /^confirm:(\d+)$/.exec(value);
  return match ? { kind: 'confirm', at: Number(match[1]) } : null;
}

export function formatVerdict(verdict: SpeculationVerdict): string {
  return verdict.kind === 'cancel' ? 'cancel' : `confirm:${verdict.at}`;
}

/**
 * One verdict per speculation, first writer wins (SET NX), announced on a pub/sub channel so a
 * worker holding a finished speculation learns it at once. Keys expire with the session.
 */
@Injectable()
export class SpeculationVerdictsService {
  private subscribed?: Promise<void>;
  private readonly waiters = new Map<string, Set<(verdict: SpeculationVerdict) => void>>();

  constructor(
    private readonly client: RedisClient,
    private readonly connections: RedisConnectionFactory,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private key(utteranceId: string, revision: number): string {
    return this.client.keys.speculationVerdict(utteranceId, revision);
  }

  private get channel(): string {
    return this.client.keys.speculationVerdictsChannel();
  }

  /** Records the verdict unless one exists; resolves with the verdict that stands. */
  async decide(
    utteranceId: string,
    revision: number,
    verdict: SpeculationVerdict,
  ): Promise<SpeculationVerdict> {
    const key = this.key(utteranceId, revision);
    const ttl = this.config.gateway.sessionTtlSeconds;
    // One round trip on the path from the threshold to the final. The announcement only tells
    // waiting workers to read the record, so it is harmless when an earlier verdict stands.
    const replies = await this.client.redis
      .multi()
      .set(key, formatVerdict(verdict), 'EX', ttl, 'NX')
      .get(key)
      .publish(this.channel, `${utteranceId}|${revision}`)
      .exec();
    const [setReply, standing] = (replies ?? []).map(([error, value]) => {
      if (error) throw error;
      return value;
    });
    if (setReply === null) return parseVerdict(standing as string | null) ?? verdict;
    return verdict;
  }

  async read(utteranceId: string, revision: number): Promise<SpeculationVerdict | null> {
    return parseVerdict(await this.client.redis.get(this.key(utteranceId, revision)));
  }

  /** The verdict, waiting up to `timeoutMs` for it; null when none came in time. */
  async wait(
    utteranceId: string,
    revision: number,
    timeoutMs: number,
  ): Promise<SpeculationVerdict | null> {
    await this.subscribe();
    const id = `${utteranceId}|${revision}`;
    return new Promise<SpeculationVerdict | null>((resolve) => {
      let done = false;
      const finish = (verdict: SpeculationVerdict | null): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        const set = this.waiters.get(id);
        set?.delete(onVerdict);
        if (set?.size === 0) this.waiters.delete(id);
        resolve(verdict);
      };
      const onVerdict = (verdict: SpeculationVerdict): void => finish(verdict);
      const timer = setTimeout(() => finish(null), timeoutMs);
      const set = this.waiters.get(id) ?? new Set();
      set.add(onVerdict);
      this.waiters.set(id, set);
      // Subscribed before reading: a verdict written in between is either read or announced.
      this.read(utteranceId, revision).then(
        (verdict) => {
          if (verdict) finish(verdict);
        },
        () => undefined,
      );
    });
  }

  private subscribe(): Promise<void> {
    if (!this.subscribed) {
      // Closed with every other connection by RedisConnectionFactory at shutdown.
      const subscriber = this.connections.create('blocking', 'speculation-verdicts');
      subscriber.on('message', (_channel: string, message: string) => {
        const separator = message.lastIndexOf('|');
        const utteranceId = message.slice(0, separator);
        const revision = Number(message.slice(separator + 1));
        if (!this.waiters.has(message)) return;
        this.read(utteranceId, revision).then(
          (verdict) => {
            if (!verdict) return;
            for (const waiter of [...(this.waiters.get(message) ?? [])]) waiter(verdict);
          },
          () => undefined,
        );
      });
      this.subscribed = subscribeWhenReady(subscriber, this.channel);
    }
    return this.subscribed;
  }
}
