import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { QueueService } from '../common/queues/queue.service';
import { QueueName } from '../contracts/queue-names';
import { RedisClient } from '../common/redis/redis.module';
import {
  htmlSegments,
  languageName,
  LanguagePair,
  pairKey,
  TranslationDirectoryService,
} from '../translation';
import { DetectedLanguage, detectSources, rankLanguages } from './language-detection';
import { ReplyWaiterService, TooManyPending } from './reply-waiter.service';
import {
  AUTO_SOURCE,
  BadTranslateRequest,
  LanguageEntry,
  languageList,
  parseDetectRequest,
  planTranslation,
  TranslateRequest,
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

/** LibreTranslate's answer: lists for a list of texts, single values for one text. */
export interface TranslateAnswer {
  translatedText: string | string[];
  /** Only for `source: "auto"`. */
  detectedLanguage?: DetectedLanguage | DetectedLanguage[];
  /** Only when alternatives were asked for; no engine here offers any, so they are empty. */
  alternatives?: string[] | string[][];
}

/** LibreTranslate's GET /frontend/settings, which its web page and some clients read first. */
export interface FrontendSettings {
  charLimit: number;
  frontendTimeout: number;
  apiKeys: boolean;
  keyRequired: boolean;
  suggestions: boolean;
  filesTranslation: boolean;
  supportedFilesFormat: string[];
  language: {
    source: { code: string; name: string };
    target: { code: string; name: string };
  };
}

/**
 * LibreTranslate-compatible translation for the gateway: checks the request (at most
 * TRANSLATE_MAX_ITEMS texts), counts it against the caller's per-minute limit, queues one job per
 * non-blank text on the same translation queue the live path uses, and waits for the workers'
 * replies on one list per request.
 */
@Injectable()
export class TranslationApiService {
  /**
   * Requests each caller has waiting for replies: one caller may hold TRANSLATE_PENDING_PER_KEY
   * of the gateway's TRANSLATION_API_MAX_PENDING, so one tenant cannot hold them all.
   */
  private readonly pendingByCaller = new Map<string, number>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queues: QueueService,
    private readonly directory: TranslationDirectoryService,
    private readonly waiter: ReplyWaiterService,
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
    const key = this.client.keys.translateRate(caller, minute);
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
    const auto = request.source === AUTO_SOURCE;
    const pairs = auto || jobs.length > 0 ? await this.workerPairs() : [];
    const detected = auto ? this.detectSources(request, pairs) : undefined;
    const sources = detected?.map((d) => d.language) ?? request.texts.map(() => request.source);
    // A text detected in the target language needs no translation.
    const work = jobs.filter(({ index }) => sources[index] !== request.target);
    if (!auto && work.length > 0) {
      if (!pairs.some((p) => p.source === request.source && p.target === request.target)) {
        throw new BadTranslateRequest(
          `Translation from ${request.source} to ${request.target} is not supported`,
        );
      }
    }
    const texts =
      work.length === 0 ? [...request.texts] : await this.run(request, work, sources, caller);
    const answer: TranslateAnswer = {
      translatedText: request.batch ? texts : (texts[0] ?? ''),
    };
    if (detected) answer.detectedLanguage = request.batch ? detected : detected[0];
    if (request.alternatives > 0) {
      answer.alternatives = request.batch ? texts.map((): string[] => []) : [];
    }
    return answer;
  }

  /** POST /detect: the languages translation workers can translate from, most likely first. */
  async detect(body: unknown, caller: string): Promise<DetectedLanguage[]> {
    const text = parseDetectRequest(body, this.config.translation.maxChars);
    await this.countRequest(caller);
    const candidates = sourceLanguages(await this.workerPairs());
    const ranked = rankLanguages(text, candidates);
    const [fallback] = candidates;
    return ranked.length > 0 || fallback === undefined
      ? ranked
      : [{ language: fallback, confidence: 0 }];
  }

  async frontendSettings(): Promise<FrontendSettings> {
    const targets = new Set((await this.livePairs()).map((pair) => pair.target));
    const target = targets.has('en') ? 'en' : ([...targets].sort()[0] ?? 'en');
    const keyRequired = this.config.security.authRequired;
    return {
      charLimit: this.config.translation.maxChars,
      // LibreTranslate's default: how long its web page waits after typing before translating.
      frontendTimeout: 500,
      apiKeys: keyRequired,
      keyRequired,
      suggestions: false,
      filesTranslation: false,
      supportedFilesFormat: [],
      language: {
        source: { code: AUTO_SOURCE, name: 'Auto Detect' },
        target: { code: target, name: languageName(target) },
      },
    };
  }

  /** The pairs of running workers; 503 when there is none. */
  private async workerPairs(): Promise<LanguagePair[]> {
    const pairs = await this.livePairs();
    if (pairs.length === 0) throw new TranslationUnavailable('No translation worker is running');
    return pairs;
  }

  /** Each text's language among those that translate into the target (markup not counted). */
  private detectSources(request: TranslateRequest, pairs: LanguagePair[]): DetectedLanguage[] {
    const candidates = sourceLanguages(pairs.filter((pair) => pair.target === request.target));
    if (candidates.length === 0) {
      throw new BadTranslateRequest(`No language can be translated to ${request.target}`);
    }
    const prose =
      request.format === 'html'
        ? request.texts.map((text) =>
            htmlSegments(text)
              .filter((segment) => segment.kind === 'text')
              .map((segment) => segment.value)
              .join(' '),
          )
        : request.texts;
    return detectSources(prose, candidates);
  }

  /** Queues one job per text and waits for every reply; the texts, translated where needed. */
  private async run(
    request: TranslateRequest,
    jobs: { index: number; text: string }[],
    sources: string[],
    caller: string,
  ): Promise<string[]> {
    // The whole batch counts: a request may not push the queue past its limit.
    const depth = await this.queues.depth(QueueName.Translation).catch(() => Infinity);
    if (depth + jobs.length > this.config.gateway.maxQueueDepth) {
      throw new TranslationUnavailable('Translation queue is full, try again later');
    }

    const perKey = this.config.translation.apiPendingPerKey;
    const held = this.pendingByCaller.get(caller) ?? 0;
    if (held >= perKey) {
      throw new TranslationRejected(
        `Too many requests: at most ${perKey} translations in progress at once for this key`,
        429,
      );
    }
    let connection;
    try {
      connection = this.waiter.acquire();
    } catch (error) {
      if (error instanceof TooManyPending) throw new TranslationUnavailable(error.message);
      throw error;
    }
    this.pendingByCaller.set(caller, held + 1);
    try {
      const requestId = randomUUID();
      const replyKey = this.client.keys.translateReplies(requestId);
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
              source: sources[index] ?? request.source,
              targets: [request.target],
              enqueuedAt: now,
              replyKey,
              format: request.format,
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
            `No translation within the time limit (${pairKey(sources[index] ?? request.source, request.target)})`,
          );
        if (!reply.ok) throw new TranslationRejected(reply.error, reply.status);
        texts[index] = reply.text;
      }
      return texts;
    } finally {
      this.waiter.release(connection);
      const left = (this.pendingByCaller.get(caller) ?? 1) - 1;
      if (left > 0) this.pendingByCaller.set(caller, left);
      else this.pendingByCaller.delete(caller);
    }
  }
}

/** The distinct source languages of some pairs, sorted. */
function sourceLanguages(pairs: LanguagePair[]): string[] {
  return [...new Set(pairs.map((pair) => pair.source))].sort();
}
