import { Injectable, Logger } from '@nestjs/common';
import { RedisConnectionFactory } from '../common/redis/redis-connection.factory';
import { RedisClient } from '../common/redis/redis.module';
import { subscribeWhenReady } from '../common/redis/subscribe-when-ready';
import { parseOffer, SpeculationOffer } from '../contracts/speculation-verdict';
import { FinalResult } from '../contracts/result-messages';

/**
 * The gateway's ear for computed speculations: a worker announces each offer with its text
 * (SpeculationVerdictsService.offer), and the session that speculated learns it at once, to
 * judge whether the turn is complete. One subscriber per process, opened on first use.
 */
@Injectable()
export class SpeculationOffersService {
  private readonly logger = new Logger('SpeculationOffers');
  private subscribed?: Promise<void>;
  private readonly watchers = new Map<string, (offer: SpeculationOffer) => void>();

  constructor(
    private readonly client: RedisClient,
    private readonly connections: RedisConnectionFactory,
  ) {}

  /**
   * Calls `onOffer` once when the speculation `revision` of `utteranceId` is offered (also when it
   * was offered before the watch began). Returns the function that stops watching.
   */
  watch(
    utteranceId: string,
    revision: number,
    onOffer: (offer: SpeculationOffer) => void,
  ): () => void {
    const id = `${utteranceId}|${revision}`;
    let done = false;
    const once = (offer: SpeculationOffer): void => {
      if (done) return;
      done = true;
      this.watchers.delete(id);
      onOffer(offer);
    };
    this.watchers.set(id, once);
    // Subscribed before reading: an offer made in between is either read or announced.
    this.subscribe()
      .then(() => this.client.redis.get(this.client.keys.speculationReady(utteranceId, revision)))
      .then((ready) => {
        if (ready === null || done) return;
        const final = JSON.parse(ready) as FinalResult;
        const confidence = meanProbability(final.words);
        once({
          utteranceId,
          revision,
          text: final.text,
          language: final.language,
          ...(confidence !== undefined ? { confidence } : {}),
        });
      })
      .catch((error: unknown) => {
        this.logger.warn(`Speculation offers not followed: ${(error as Error).message}`);
      });
    return () => {
      done = true;
      if (this.watchers.get(id) === once) this.watchers.delete(id);
    };
  }

  private subscribe(): Promise<void> {
    if (!this.subscribed) {
      // Closed with every other connection by RedisConnectionFactory at shutdown.
      const subscriber = this.connections.create('blocking', 'speculation-offers');
      subscriber.on('message', (_channel: string, message: string) => {
        const offer = parseOffer(message);
        if (offer) this.watchers.get(`${offer.utteranceId}|${offer.revision}`)?.(offer);
      });
      this.subscribed = subscribeWhenReady(subscriber, this.client.keys.speculationOffersChannel());
    }
    return this.subscribed;
  }
}

/** The mean probability of a decode's words, as the worker announces it (undefined: none). */
export function meanProbability(words: readonly { probability?: number }[]): number | undefined {
  const probabilities = words
    .map((word) => word.probability)
    .filter((p): p is number => typeof p === 'number');
  return probabilities.length > 0
    ? probabilities.reduce((a, b) => a + b, 0) / probabilities.length
    : undefined;
}
