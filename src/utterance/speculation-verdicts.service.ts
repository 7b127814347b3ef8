import { Inject, Injectable } from '@nestjs/common';
import { finalResultId } from '../contracts/utterance-ids';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { RedisConnectionFactory } from '../common/redis/redis-connection.factory';
import { RedisClient } from '../common/redis/redis.module';
import { subscribeWhenReady } from '../common/redis/subscribe-when-ready';
import {
  formatVerdict,
  parseVerdict,
  SpeculationOffer,
  SpeculationVerdict,
} from '../contracts/speculation-verdict';
import { APPEND_ONCE_LUA, ResultStreamService } from './result-stream.service';

/**
 * Records a verdict (first writer wins) and announces it. When the standing verdict is `confirm`
 * and the worker already offered the speculation's final (the `ready` key), that final is appended
 * to the session's results here, in the same script: the final is on its way to the client one
 * Redis call after the threshold passed, without waiting for the worker to wake up. Otherwise the
 * worker writes it once it learns the verdict. A cancel drops an offered final.
 *
 * KEYS: verdict, ready, results stream, result dedupe key.
 * ARGV: verdict, ttl seconds, channel, announcement, stream max length.
 */
const DECIDE = `${APPEND_ONCE_LUA}
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2], 'NX')
local standing = redis.call('GET', KEYS[1])
if standing == 'cancel' then
  redis.call('DEL', KEYS[2])
elseif standing == ARGV[1] then
  local ready = redis.call('GET', KEYS[2])
  if ready then
    redis.call('DEL', KEYS[2])
    append_once(KEYS[3], KEYS[4], ARGV[5], ARGV[2], ready)
  end
end
redis.call('PUBLISH', ARGV[3], ARGV[4])
return standing
`;

/**
 * One verdict per speculation, first writer wins (SET NX), announced on a pub/sub channel so a
 * worker holding a finished speculation learns it at once. A worker may offer the speculation's
 * final before the verdict (`offer`); confirming then appends it (see DECIDE). Keys expire with
 * the session.
 */
@Injectable()
export class SpeculationVerdictsService {
  private subscribed?: Promise<void>;
  private readonly waiters = new Map<string, Set<(verdict: SpeculationVerdict) => void>>();

  constructor(
    private readonly client: RedisClient,
    private readonly connections: RedisConnectionFactory,
    private readonly results: ResultStreamService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private key(utteranceId: string, revision: number): string {
    return this.client.keys.speculationVerdict(utteranceId, revision);
  }

  private get channel(): string {
    return this.client.keys.speculationVerdictsChannel();
  }

  private readyKey(utteranceId: string, revision: number): string {
    return this.client.keys.speculationReady(utteranceId, revision);
  }

  /**
   * Records the verdict unless one exists; resolves with the verdict that stands. A confirm that
   * stands appends the final the worker offered, if it did (the session's results stream).
   */
  async decide(
    sessionId: string,
    utteranceId: string,
    revision: number,
    verdict: SpeculationVerdict,
  ): Promise<SpeculationVerdict> {
    const ttl = this.config.gateway.sessionTtlSeconds;
    const target = this.results.target(sessionId, finalResultId(utteranceId));
    const standing = (await this.client.redis.eval(
      DECIDE,
      4,
      this.key(utteranceId, revision),
      this.readyKey(utteranceId, revision),
      target.stream,
      target.written,
      formatVerdict(verdict),
      ttl,
      this.channel,
      `${utteranceId}|${revision}`,
      target.maxLen,
    )) as string | null;
    return parseVerdict(standing) ?? verdict;
  }

  /**
   * A worker's computed speculation, as the final message it would write: the gateway appends it
   * if it confirms from now on. Announced with its text (`offer`) for the gateway's turn judge.
   * Withdraw it once the verdict is known.
   */
  async offer(finalMessage: string, offer: SpeculationOffer): Promise<void> {
    const ttl = this.config.gateway.sessionTtlSeconds;
    const { utteranceId, revision } = offer;
    await this.client.redis
      .multi()
      .set(this.readyKey(utteranceId, revision), finalMessage, 'EX', ttl)
      .publish(this.client.keys.speculationOffersChannel(), JSON.stringify(offer))
      .exec();
  }

  /**
   * Takes an offered final back. Resolves false when it was no longer there: a confirm appended
   * it (or a cancel dropped it), so the worker must not write it again.
   */
  async withdraw(utteranceId: string, revision: number): Promise<boolean> {
    return (await this.client.redis.del(this.readyKey(utteranceId, revision))) === 1;
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
