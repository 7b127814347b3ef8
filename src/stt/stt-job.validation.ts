import { SttJob } from '../common/queues/job-payloads';

const LANGUAGE = /^(auto|[a-z]{2,3})$/;

/** Returns why a job payload is unusable, or undefined when it is fine. */
export function invalidSttJob(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return 'payload is not an object';
  const job = data as Partial<Record<keyof SttJob, unknown>>;
  const text = (key: keyof SttJob): boolean => typeof job[key] === 'string' && job[key] !== '';
  const number = (key: keyof SttJob): boolean =>
    typeof job[key] === 'number' && Number.isFinite(job[key]);
  for (const key of ['sessionId', 'utteranceId', 'audioKey'] as const) {
    if (!text(key)) return `${key} must be a non-empty string`;
  }
  if (job.kind !== 'interim' && job.kind !== 'final') return 'kind must be interim or final';
  if (!number('index') || (job.index as number) < 0) return 'index must be a number >= 0';
  if (!number('revision') || (job.revision as number) < 0) return 'revision must be a number >= 0';
  if (job.sampleRate !== 16000) return 'sampleRate must be 16000';
  if (
    !number('startSec') ||
    !number('endSec') ||
    (job.endSec as number) < (job.startSec as number)
  ) {
    return 'startSec/endSec must be numbers with endSec >= startSec';
  }
  if (typeof job.language !== 'string' || !LANGUAGE.test(job.language)) {
    return 'language must be an ISO 639-1 code or auto';
  }
  if (job.task !== 'transcribe' && job.task !== 'translate') {
    return 'task must be transcribe or translate';
  }
  if (!Array.isArray(job.targets) || job.targets.some((t) => typeof t !== 'string')) {
    return 'targets must be an array of language codes';
  }
  if (!number('enqueuedAt')) return 'enqueuedAt must be an epoch ms number';
  if (job.prompt !== undefined && typeof job.prompt !== 'string') return 'prompt must be a string';
  if (
    job.temperature !== undefined &&
    !(number('temperature') && (job.temperature as number) >= 0 && (job.temperature as number) <= 1)
  ) {
    return 'temperature must be a number from 0 to 1';
  }
  for (const key of ['wordTimings', 'segmentDetail'] as const) {
    if (job[key] !== undefined && typeof job[key] !== 'boolean') return `${key} must be a boolean`;
  }
  return undefined;
}
