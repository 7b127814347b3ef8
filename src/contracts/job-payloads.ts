import { z } from 'zod';
import { PIPELINE_SAMPLE_RATE } from '../audio/pipeline-rate';
import { QueueName } from './queue-names';

const nonEmptyText = z
  .string({ error: 'must be a non-empty string' })
  .min(1, 'must be a non-empty string');
const position = z.number({ error: 'must be a number >= 0' }).min(0, 'must be a number >= 0');
const seconds = z.number({ error: 'must be a number of seconds' });
const epochMs = z.number({ error: 'must be an epoch ms number' });
const flag = z.boolean({ error: 'must be a boolean' });
const languageCodes = z.array(z.string({ error: 'must be a language code' }), {
  error: 'must be an array of language codes',
});

export const UtteranceKindSchema = z.enum(['interim', 'final'], {
  error: 'must be interim or final',
});
export type UtteranceKind = z.infer<typeof UtteranceKindSchema>;

/** An audio segment to transcribe. The audio itself is binary PCM16 in Redis under `audioKey`. */
export const SttJobSchema = z
  .object(
    {
      sessionId: nonEmptyText,
      /** Stable id of the utterance, unique within the service: `${sessionId}:${index}`. */
      utteranceId: nonEmptyText,
      audioKey: nonEmptyText,
      kind: UtteranceKindSchema,
      /** 1-based position of the utterance in its session; finals are delivered in this order. */
      index: position,
      /** Increases with every interim snapshot of one utterance; the final has the highest. */
      revision: position,
      sampleRate: z.literal(PIPELINE_SAMPLE_RATE, { error: `must be ${PIPELINE_SAMPLE_RATE}` }),
      /** Seconds from stream start. */
      startSec: seconds,
      endSec: seconds,
      /** ISO 639-1 code, or 'auto' to detect. */
      language: z
        .string({ error: 'must be an ISO 639-1 code or auto' })
        .regex(/^(auto|[a-z]{2,3})$/, 'must be an ISO 639-1 code or auto'),
      task: z.enum(['transcribe', 'translate'], { error: 'must be transcribe or translate' }),
      /** Target languages for the translation role (finals only). */
      targets: languageCodes,
      interimTranslations: flag,
      /** Where the VAD heard speech begin and end (seconds from stream start), when known. */
      speechStartSec: seconds.optional(),
      speechEndSec: seconds.optional(),
      /** Epoch ms when the gateway enqueued the job; used for stage latencies. */
      enqueuedAt: epochMs,
      /** Epoch ms when the utterance ended (last voiced frame + silence), for end-to-end latency. */
      utteranceEndedAt: epochMs.optional(),
      /**
       * A final started before the silence threshold passed: its result is written only once the
       * gateway confirms it (SpeculationVerdictsService), and dropped when cancelled.
       */
      speculative: flag.optional(),
      /**
       * Uploaded files (src/openai-api): the caller's prompt replaces the session's previous
       * text, so segments transcribed in parallel do not depend on each other's order.
       */
      prompt: z.string({ error: 'must be a string' }).optional(),
      /** Word timings in the final even when WORD_TIMESTAMPS is off. */
      wordTimings: flag.optional(),
      /** Per-segment detail (tokens, log probability, ...) in the final (FinalResult.segments). */
      segmentDetail: flag.optional(),
      /** Sampling temperature of the first decode, 0 to 1 (uploads; default 0). */
      temperature: z
        .number({ error: 'must be a number from 0 to 1' })
        .min(0, 'must be a number from 0 to 1')
        .max(1, 'must be a number from 0 to 1')
        .optional(),
      /** A segment of an uploaded file: it waits behind live speech for a whisper context. */
      upload: flag.optional(),
    },
    { error: 'payload is not an object' },
  )
  .refine((job) => job.endSec >= job.startSec, {
    path: ['endSec'],
    message: 'must be a number >= startSec',
  });
export type SttJob = z.infer<typeof SttJobSchema>;

/** A transcript to translate into one or more languages. */
export const TranslationJobSchema = z.object(
  {
    sessionId: nonEmptyText,
    utteranceId: nonEmptyText,
    index: position,
    kind: UtteranceKindSchema,
    revision: position,
    text: z.string({ error: 'must be a string' }),
    /** ISO 639-1 code of the text. */
    source: z.string({ error: 'must be a language code' }),
    targets: languageCodes,
    enqueuedAt: epochMs,
    /** Set for LibreTranslate-compatible HTTP requests, whose answer goes to a reply key instead. */
    replyKey: nonEmptyText.optional(),
    /** `html` (HTTP requests only): keep the markup, translate the prose. Plain text when absent. */
    format: z.enum(['text', 'html'], { error: 'must be text or html' }).optional(),
  },
  { error: 'payload is not an object' },
);
export type TranslationJob = z.infer<typeof TranslationJobSchema>;

/** The schema of each queue's payload. */
export const JOB_PAYLOAD_SCHEMAS = {
  [QueueName.Stt]: SttJobSchema,
  [QueueName.SttUpload]: SttJobSchema,
  [QueueName.Translation]: TranslationJobSchema,
} as const;

export type JobPayloads = {
  [Q in QueueName]: z.infer<(typeof JOB_PAYLOAD_SCHEMAS)[Q]>;
};
