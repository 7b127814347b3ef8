import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { QueueService } from '../common/queues/queue.service';
import { QueueName } from '../common/queues/queue-names';
import { RedisClient } from '../common/redis/redis.module';
import { LanguagePair, pairKey } from '../translation/engines/translation-engine';
import { TranslationDirectory } from '../translation/translation-directory.service';
import { ReplyWaiter, TooManyPending } from './reply-waiter.service';
import {
  BadTranslateRequest,
  LanguageEntry,
  languageList,
  planTranslation,
} from './translate-request';

/** HTTP jobs sit between live finals (1) and interims (10): a live caption is more urgent. */
export const HTTP_JOB_PRIORITY = 5;

/** Overload or no worker: answered 503. */
export class TranslationUnavailable extends Error {}

/** A worker could not translate: answered with the status the worker chose. */
export class TranslationRejected extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export type TranslateAnswer = { translatedText: string } | { translatedText: string[] };

/**
 * LibreTranslate-compatible translation for the gateway: checks the request (at most
 * TRANSLATE_MAX_ITEMS texts), counts it against the caller's per-minute limit, queues one job per
 * non-blank text on the same translation queue the live path uses, and waits for the workers'
 * replies on one list per request.
 */
@Injectable()
export class TranslationApiService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queues: QueueService,
    private readonly directory: TranslationDirectory,
    private readonly waiter: ReplyWaiter,
    private readonly client: RedisClient,
  ) {}

  async languages(): Promise<LanguageEntry[]> {
    return languageList(await this.livePairs());
  }

  private async livePairs(): Promise<LanguagePair[]> {
    try {
      return await this.directory.pairs();
    } catch (error) {
      throw new TranslationUnavailable(`Redis unavailable: ${(error as Error).message}`);
    }
  }

  /**
   * One fixed one-minute window per caller (an API key id, or `ip:<address>` without auth).
   * Throws TranslationRejected (429) past TRANSLATE_REQUESTS_PER_MINUTE.
   */
  private async countRequest(caller: string): Promise<void> {
    const limit = this.config.security.translateRequestsPerMinute;
    const minute = Math.floor(Date.now() / 60_000);
    const key = this.client.key('translate-rate', caller, String(minute));
    let count: number;
    try {
      const results = await this.client.redis.multi().incr(key).expire(key, 120).exec();
      count = Number(results?.[0]?.[1] ?? 0);
    } catch (error) {
      throw new TranslationUnavailable(`Redis unavailable: ${(error as Error).message}`);
    }
    if (count > limit) {
      throw new TranslationRejected(
        `Too many requests: at most ${limit} translations per minute for this key`,
        429,
      );
    }
  }

  /**
   * `caller` identifies who pays for the request (rate limit): the API key id, or the client
   * address when authentication is off.
   */
  async translate(body: unknown, caller: string): Promise<TranslateAnswer> {
    const { maxChars } = this.config.translation;
    const { request, jobs } = planTranslation(
      body,
      maxChars,
      this.config.security.translateMaxItems,
    );
    await this.countRequest(caller);
    const answer = (texts: string[]): TranslateAnswer =>
      request.batch ? { translatedText: texts } : { translatedText: texts[0] };
    if (jobs.length === 0) return answer(request.texts);
    const pairs = await this.livePairs();
    if (pairs.length === 0) throw new TranslationUnavailable('No translation worker is running');
    if (!pairs.some((p) => p.source === request.source && p.target === request.target)) {
      throw new BadTranslateRequest(
        `Translation from ${request.source} to ${request.target} is not supported`,
      );
    }
    // The whole batch counts: a request may not push the queue past its limit.
    const depth = await this.queues.depth(QueueName.Translation).catch(() => Infinity);
    if (depth + jobs.length > this.config.gateway.maxQueueDepth) {
      throw new TranslationUnavailable('Translation queue is full, try again later');
    }

    let connection;
    try {
      connection = this.waiter.acquire();
    } catch (error) {
      if (error instanceof TooManyPending) throw new TranslationUnavailable(error.message);
      throw error;
    }
    try {
      const requestId = randomUUID();
      const replyKey = this.client.key('translate', requestId);
      const now = Date.now();
      await Promise.all(
        jobs.map(({ index, text }) =>
          this.queues.add(
            QueueName.Translation,
            'http',
            {
              sessionId: `http:${requestId}`,
              utteranceId: `http:${requestId}:${index}`,
              index,
              kind: 'final',
              revision: 0,
              text,
              source: request.source,
              targets: [request.target],
              enqueuedAt: now,
              replyKey,
            },
            { priority: HTTP_JOB_PRIORITY, attempts: 1 },
          ),
        ),
      );
      const replies = await this.waiter.wait(
        connection,
        replyKey,
        jobs.map((job) => job.index),
        this.config.translation.timeoutMs * 2,
      );
      const texts = [...request.texts];
      for (const { index } of jobs) {
        const reply = replies.get(index);
        if (!reply)
          throw new TranslationUnavailable(
            `No translation within the time limit (${pairKey(request.source, request.target)})`,
          );
        if (!reply.ok) throw new TranslationRejected(reply.error, reply.status);
        texts[index] = reply.text;
      }
      return answer(texts);
    } finally {
      this.waiter.release(connection);
    }
  }
}
