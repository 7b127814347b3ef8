import { Injectable, Logger } from '@nestjs/common';
import { TranslationJob } from '../contracts/job-payloads';
import { ErrorResult, TranslationResult } from '../contracts/result-messages';
import { ResultStreamService } from '../utterance/result-stream.service';
import { RedisClient } from '../common/redis/redis.module';
import { UtteranceRevisionsService } from '../utterance/utterance-revisions.service';
import { EngineUnavailableError, pairKey, TranslationEngine } from './engines/translation-engine';
import { translateHtmlSegments } from './formats/html-segments';
import { normalizeLanguage } from './languages/language-table';
import { TranslationEnginesService } from './translation-engines.service';
import { TranslationMetrics } from './translation.metrics';
import { REPLY_TTL_SECONDS, TranslationReply } from './translation-reply';

export type TargetPlan =
  | { kind: 'passthrough'; source: string; target: string }
  | { kind: 'unsupported'; source: string; target: string }
  | { kind: 'translate'; source: string; target: string; engine: TranslationEngine };

/** What to do for one target: pass through, report the pair unsupported, or which engine runs. */
export function planTarget(
  rawSource: string,
  rawTarget: string,
  route: (source: string, target: string) => TranslationEngine | undefined,
): TargetPlan {
  const source = normalizeLanguage(rawSource) ?? rawSource.trim().toLowerCase();
  const target = normalizeLanguage(rawTarget) ?? rawTarget.trim().toLowerCase();
  if (source === target) return { kind: 'passthrough', source, target };
  const engine = route(source, target);
  return engine
    ? { kind: 'translate', source, target, engine }
    : { kind: 'unsupported', source, target };
}

export interface TargetOutcome {
  target: string;
  text?: string;
  engine?: string;
  /** Set when the target produced no translation. */
  error?: { code: string; message: string; retryable: boolean };
}

/**
 * Translates one transcript into each of its target languages concurrently and delivers each
 * translation as soon as it is ready: to the session's result stream, or for an HTTP request to
 * its reply key. Idempotent per utterance and language (dedupe ids), so a retried job never
 * delivers a translation twice.
 */
@Injectable()
export class TranslationService {
  private readonly logger = new Logger('Translation');

  constructor(
    private readonly engines: TranslationEnginesService,
    private readonly results: ResultStreamService,
    private readonly revisions: UtteranceRevisionsService,
    private readonly client: RedisClient,
    private readonly metrics: TranslationMetrics,
  ) {}

  /**
   * Throws when a target failed in a way a retry may fix (the job is retried; what was delivered
   * stays delivered). `lastAttempt` turns such failures into an error message instead.
   */
  async handle(job: TranslationJob, lastAttempt = true): Promise<TargetOutcome[]> {
    if (job.kind === 'interim' && !job.replyKey) {
      if (await this.revisions.isStale(job.utteranceId, job.revision)) return [];
    }
    const outcomes = await Promise.all(
      job.targets.map((target) => this.translateTarget(job, target, lastAttempt)),
    );
    if (job.replyKey) await this.reply(job.replyKey, job.index, outcomes[0]);
    const retryable = outcomes.find((outcome) => outcome.error?.retryable);
    if (retryable && !lastAttempt && !job.replyKey) {
      throw new Error(`Translation to ${retryable.target} failed: ${retryable.error!.message}`);
    }
    return outcomes;
  }

  private async translateTarget(
    job: TranslationJob,
    rawTarget: string,
    lastAttempt: boolean,
  ): Promise<TargetOutcome> {
    const plan = planTarget(job.source, rawTarget, (s, t) => this.engines.route(s, t));
    const { source, target } = plan;
    // Metric labels only from the language table: clients choose targets, cardinality must stay bounded.
    const known =
      normalizeLanguage(source) !== undefined && normalizeLanguage(target) !== undefined;
    const pair = known ? pairKey(source, target) : 'unknown';
    if (plan.kind === 'unsupported') {
      const message = `Translation from ${source} to ${target} is not supported`;
      this.metrics.failures.inc({ engine: 'none', pair, reason: 'unsupported' });
      await this.sessionError(job, `unsupported:${source}:${target}`, {
        type: 'error',
        code: 'unsupported_language_pair',
        message,
        retryable: false,
      });
      return { target, error: { code: 'unsupported_language_pair', message, retryable: false } };
    }
    if (plan.kind === 'passthrough' || job.text.trim() === '') {
      const engine = plan.kind === 'passthrough' ? 'passthrough' : plan.engine.name;
      await this.deliver(
        job,
        target,
        source,
        job.text.trim(),
        engine,
        0,
        plan.kind === 'passthrough',
      );
      return { target, text: job.text.trim(), engine };
    }

    const engine = plan.engine;
    const started = performance.now();
    try {
      const request = {
        text: job.text,
        source,
        target,
        priority: job.kind === 'final' ? ('final' as const) : ('interim' as const),
        format: job.format ?? 'text',
      };
      const text =
        request.format === 'html' && !engine.handlesHtml
          ? await translateHtmlSegments(job.text, (prose) =>
              engine.translate({ ...request, text: prose, format: 'text' }),
            )
          : await engine.translate(request);
      const ms = performance.now() - started;
      this.metrics.latency.observe({ engine: engine.name, pair }, ms / 1000);
      this.metrics.translations.inc({
        engine: engine.name,
        pair,
        kind: job.replyKey ? 'http' : job.kind,
      });
      await this.deliver(job, target, source, text, engine.name, ms, false);
      return { target, text, engine: engine.name };
    } catch (error) {
      const message = (error as Error).message;
      const unavailable = error instanceof EngineUnavailableError;
      this.metrics.failures.inc({
        engine: engine.name,
        pair,
        reason: unavailable ? 'unavailable' : 'error',
      });
      this.logger.warn(`${engine.name} ${pair} failed for ${job.utteranceId}: ${message}`);
      if (unavailable) {
        await this.sessionError(job, `unavailable:${source}:${target}`, {
          type: 'error',
          code: 'translation_unavailable',
          message,
          retryable: false,
        });
        return { target, error: { code: 'translation_unavailable', message, retryable: false } };
      }
      if (lastAttempt && job.kind === 'final') {
        await this.sessionError(job, `failed:${job.utteranceId}:${target}`, {
          type: 'error',
          code: 'translation_failed',
          message: `Translation to ${target} failed: ${message}`,
          utteranceId: job.utteranceId,
          index: job.index,
          retryable: false,
        });
      }
      return { target, error: { code: 'translation_failed', message, retryable: true } };
    }
  }

  private async deliver(
    job: TranslationJob,
    target: string,
    source: string,
    text: string,
    engine: string,
    latencyMs: number,
    passthrough: boolean,
  ): Promise<void> {
    if (job.replyKey) return;
    const message: TranslationResult = {
      type: 'translation',
      utteranceId: job.utteranceId,
      index: job.index,
      kind: job.kind,
      language: target,
      source,
      text,
      passthrough,
      engine,
      latencyMs: Math.round(latencyMs * 100) / 100,
    };
    const dedupeId =
      job.kind === 'final'
        ? `translation:${job.utteranceId}:${target}`
        : `translation-interim:${job.utteranceId}:${job.revision}:${target}`;
    const id = await this.results.append(job.sessionId, message, dedupeId);
    if (id !== null && job.kind === 'final') this.metrics.finalTranslated(job.enqueuedAt);
  }

  /** Session errors are written once per dedupe id (e.g. once per session and pair). */
  private async sessionError(
    job: TranslationJob,
    dedupeId: string,
    error: ErrorResult,
  ): Promise<void> {
    if (job.replyKey) return;
    await this.results.append(job.sessionId, error, dedupeId);
  }

  private async reply(
    replyKey: string,
    index: number,
    outcome: TargetOutcome | undefined,
  ): Promise<void> {
    let reply: TranslationReply;
    if (outcome?.text !== undefined) {
      reply = { ok: true, text: outcome.text, engine: outcome.engine ?? '', index };
    } else {
      const code = outcome?.error?.code;
      const status =
        code === 'unsupported_language_pair' ? 400 : code === 'translation_unavailable' ? 503 : 500;
      reply = {
        ok: false,
        status,
        error: outcome?.error?.message ?? 'no target language',
        index,
      };
    }
    await this.client.redis
      .multi()
      .lpush(replyKey, JSON.stringify(reply))
      .expire(replyKey, REPLY_TTL_SECONDS)
      .exec();
  }
}
