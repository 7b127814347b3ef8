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
  parseTranslateRequest,
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
 * LibreTranslate-compatible translation for the gateway: checks the request, queues one job per
 * text on the same translation queue the live path uses, and waits for the workers' replies.
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

  async translate(body: unknown): Promise<TranslateAnswer> {
    const request = parseTranslateRequest(body, this.config.translation.maxChars);
    if (request.source === request.target) {
      return request.batch
        ? { translatedText: request.texts }
        : { translatedText: request.texts[0] };
    }
    const pairs = await this.livePairs();
    if (pairs.length === 0) throw new TranslationUnavailable('No translation worker is running');
    if (!pairs.some((p) => p.source === request.source && p.target === request.target)) {
      throw new BadTranslateRequest(
        `Translation from ${request.source} to ${request.target} is not supported`,
      );
    }
    const depth = await this.queues.depth(QueueName.Translation).catch(() => Infinity);
    if (depth >= this.config.gateway.maxQueueDepth) {
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
      const keys = request.texts.map((_, i) => this.client.key('translate', requestId, i));
      const now = Date.now();
      await Promise.all(
        request.texts.map((text, i) =>
          this.queues.add(
            QueueName.Translation,
            'http',
            {
              sessionId: `http:${requestId}`,
              utteranceId: `http:${requestId}:${i}`,
              index: i,
              kind: 'final',
              revision: 0,
              text,
              source: request.source,
              targets: [request.target],
              enqueuedAt: now,
              replyKey: keys[i],
            },
            { priority: HTTP_JOB_PRIORITY, attempts: 1 },
          ),
        ),
      );
      const replies = await this.waiter.wait(
        connection,
        keys,
        this.config.translation.timeoutMs * 2,
      );
      const texts: string[] = [];
      for (const reply of replies) {
        if (!reply)
          throw new TranslationUnavailable(
            `No translation within the time limit (${pairKey(request.source, request.target)})`,
          );
        if (!reply.ok) throw new TranslationRejected(reply.error, reply.status);
        texts.push(reply.text);
      }
      return request.batch ? { translatedText: texts } : { translatedText: texts[0] };
    } finally {
      this.waiter.release(connection);
    }
  }
}
