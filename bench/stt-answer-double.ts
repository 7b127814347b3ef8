import { type Redis } from 'ioredis';
import { type SttJob } from 'src/contracts/job-payloads';
import { type RedisKeys } from 'src/common/redis/redis-keys';

/**
 * What a zero-cost stt double answers for a job, in the shape the stt role writes: a final with
 * the job's times (`utterance N`), or an interim snapshot.
 */
export function answerFor(data: SttJob, worker: string): Record<string, unknown> {
  if (data.kind !== 'final') {
    return {
      type: 'interim',
      utteranceId: data.utteranceId,
      index: data.index,
      revision: data.revision,
      text: '...',
      language: 'en',
      worker,
    };
  }
  return {
    type: 'final',
    utteranceId: data.utteranceId,
    index: data.index,
    text: `utterance ${data.index}`,
    language: 'en',
    start: data.startSec,
    end: data.endSec,
    ...(data.speechEndSec !== undefined ? { speechEnd: data.speechEndSec } : {}),
    words: [],
    latency: { queueMs: Date.now() - data.enqueuedAt, sttMs: 0 },
    worker,
  };
}

/** Appends the answer to the session's results and drops the job's audio, as the stt role does. */
export async function appendAnswer(
  redis: Redis,
  keys: RedisKeys,
  data: SttJob,
  message: Record<string, unknown>,
  ttlSeconds: number,
): Promise<void> {
  const stream = keys.sessionResults(data.sessionId);
  await redis
    .multi()
    .xadd(stream, 'MAXLEN', '~', 1000, '*', 'm', JSON.stringify(message))
    .expire(stream, ttlSeconds)
    .del(data.audioKey)
    .exec();
}

/** The environment every bench gateway starts with (dist/main.js, auth off, quiet logs). */
export function benchGatewayEnv(options: {
  redisUrl: string;
  prefix: string;
  gatewayPort: number;
  healthPort: number;
}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    ROLE: 'gateway',
    NODE_ENV: 'production',
    // Measures the gateway's path, not authentication.
    AUTH_REQUIRED: 'false',
    LOG_LEVEL: 'error',
    REDIS_URL: options.redisUrl,
    QUEUE_PREFIX: options.prefix,
    HOST: '127.0.0.1',
    GATEWAY_PORT: String(options.gatewayPort),
    HEALTH_PORT: String(options.healthPort),
  };
}
