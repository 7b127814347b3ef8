import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { PIPELINE_SAMPLE_RATE } from '../audio/pipeline-rate';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { SttJob } from '../contracts/job-payloads';
import { QueueName } from '../contracts/queue-names';
import { QueueService } from '../common/queues/queue.service';
import { AudioStoreService } from '../utterance/audio-store.service';
import { StoredResult } from '../utterance/result-stream.service';
import { ResultReaderService } from '../utterance/result-reader.service';
import { VadService } from '../vad';
import { TranscriptArchiveService } from '../persistence/transcripts/transcript-archive.service';
import { AudioTask } from './audio-request';
import { FileSegment, fileSegments, runInOrder } from './file-segments';
import { OpenAiError } from './openai-error';
import { FileTranscript, TranscribedPiece } from './transcript-formats';
import { sttJobId, utteranceId as utteranceIdOf } from '../contracts/utterance-ids';

export interface FileTranscriptionRequest {
  /** Names the upload's result stream and its archived transcript (`file-<uuid>`). */
  sessionId: string;
  task: AudioTask;
  /** ISO 639-1 code or 'auto'. */
  language: string;
  prompt?: string;
  wordTimings: boolean;
  /** Sampling temperature of the first decode (0: greedy, whisper's fallback as configured). */
  temperature: number;
  /** The API key the transcript is archived under (null: authentication off). */
  keyId: string | null;
}

interface Waiter {
  resolve(piece: TranscribedPiece): void;
  reject(error: Error): void;
}

/**
 * Transcribes an uploaded file with the live-speech machinery: the VAD cuts it into utterances,
 * each goes to the stt role's upload queue (QueueName.SttUpload) as a final job, at most
 * OPENAI_SEGMENTS_IN_FLIGHT at once. The stt role takes uploads with at most STT_POOL_SIZE - 1
 * whisper contexts and after any live job waiting for one, so live sessions always go first.
 * Results come back through the file's own result stream and are put back in order. Each upload
 * is archived as a session.
 */
@Injectable()
export class FileTranscriptionService {
  private readonly logger = new Logger('FileTranscription');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly vad: VadService,
    private readonly queues: QueueService,
    private readonly audio: AudioStoreService,
    private readonly reader: ResultReaderService,
    private readonly archive: TranscriptArchiveService,
  ) {}

  /** A fresh id for an upload: never a live session's (those are bare UUIDs). */
  static newSessionId(): string {
    return `file-${randomUUID()}`;
  }

  /**
   * Resolves with every piece in order; `onPiece` sees each as soon as the ones before it are
   * done. Aborting (the client went away) stops queueing and withdraws jobs not yet started.
   */
  async transcribe(
    pcm: Int16Array,
    request: FileTranscriptionRequest,
    onPiece: (piece: TranscribedPiece) => void = () => undefined,
    signal?: AbortSignal,
  ): Promise<FileTranscript> {
    const { sessionId } = request;
    const waiters = new Map<number, Waiter>();
    this.reader.subscribe(sessionId, '0', (results) =>
      this.deliver(sessionId, request.keyId, results, waiters),
    );
    const queued = new Set<string>();
    // The client is gone: its waiting jobs leave the queue and nothing waits for their results.
    const withdraw = (): void => {
      void this.withdraw(queued);
      // The abort's reason is the answer (a revoked key's 401), if there is anyone to answer.
      const reason =
        signal?.reason instanceof Error ? signal.reason : new Error('the client went away');
      for (const waiter of waiters.values()) waiter.reject(reason);
      waiters.clear();
    };
    signal?.addEventListener('abort', withdraw, { once: true });
    try {
      const pieces = await runInOrder(
        fileSegments(this.vad.createSegmenter({ emitInterims: false }), pcm),
        this.config.openaiApi.segmentsInFlight,
        (segment) => this.transcribeSegment(sessionId, segment, request, waiters, queued, signal),
        onPiece,
        signal,
      );
      return {
        task: request.task,
        duration: pcm.length / PIPELINE_SAMPLE_RATE,
        requestedLanguage: request.language,
        temperature: request.temperature,
        pieces,
      };
    } finally {
      signal?.removeEventListener('abort', withdraw);
      this.reader.unsubscribe(sessionId);
      for (const waiter of waiters.values()) waiter.reject(new Error('request ended'));
    }
  }

  private async transcribeSegment(
    sessionId: string,
    segment: FileSegment,
    request: FileTranscriptionRequest,
    waiters: Map<number, Waiter>,
    queued: Set<string>,
    signal?: AbortSignal,
  ): Promise<TranscribedPiece> {
    // 1-based like the utterances of a live session.
    const index = segment.number + 1;
    const utteranceId = utteranceIdOf(sessionId, index);
    const audioKey = this.audio.keyFor(utteranceId, 1);
    const result = new Promise<TranscribedPiece>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(index);
        reject(
          new OpenAiError(
            504,
            `segment ${segment.startSec.toFixed(1)}-${segment.endSec.toFixed(1)} s was not transcribed within ${this.config.openaiApi.segmentTimeoutMs} ms`,
          ),
        );
      }, this.config.openaiApi.segmentTimeoutMs);
      waiters.set(index, {
        resolve: (piece) => {
          clearTimeout(timer);
          resolve(piece);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
    // Rejections are awaited below; this only keeps an early one from going unhandled.
    result.catch(() => undefined);
    const { audio } = segment;
    await this.audio.put(audioKey, Buffer.from(audio.buffer, audio.byteOffset, audio.byteLength));
    const job: SttJob = {
      sessionId,
      utteranceId,
      index,
      kind: 'final',
      revision: 1,
      audioKey,
      sampleRate: PIPELINE_SAMPLE_RATE,
      startSec: segment.startSec,
      endSec: segment.endSec,
      ...(segment.speechStartSec !== undefined ? { speechStartSec: segment.speechStartSec } : {}),
      ...(segment.speechEndSec !== undefined ? { speechEndSec: segment.speechEndSec } : {}),
      language: request.language,
      task: request.task,
      targets: [],
      interimTranslations: false,
      enqueuedAt: Date.now(),
      prompt: request.prompt ?? '',
      wordTimings: request.wordTimings,
      segmentDetail: true,
      ...(request.temperature > 0 ? { temperature: request.temperature } : {}),
      upload: true,
    };
    const jobId = sttJobId(utteranceId, 1);
    await this.queues.add(QueueName.SttUpload, 'final', job, { jobId });
    queued.add(jobId);
    // Queued while the abort was being handled: withdraw it too.
    if (signal?.aborted) await this.withdraw(new Set([jobId]));
    try {
      return await result;
    } finally {
      queued.delete(jobId);
    }
  }

  private deliver(
    sessionId: string,
    keyId: string | null,
    results: StoredResult[],
    waiters: Map<number, Waiter>,
  ): void {
    for (const stored of results) {
      const message = stored.message;
      if (message.type !== 'final' && message.type !== 'error') continue;
      const index = message.index;
      if (index === undefined) continue;
      const waiter = waiters.get(index);
      if (!waiter) continue;
      waiters.delete(index);
      if (message.type === 'error') {
        // The worker's text is for operators (it can name files, models, hosts).
        this.logger.warn(`${sessionId} segment ${index} failed: ${message.message}`);
        waiter.reject(
          new OpenAiError(500, `segment ${index} could not be transcribed (${message.code})`),
        );
        continue;
      }
      this.archive.record({ sessionId, keyId, streamId: stored.id, message });
      waiter.resolve({
        start: message.start,
        end: message.end,
        text: message.text,
        language: message.language,
        words: message.words,
        ...(message.segments ? { segments: message.segments } : {}),
      });
    }
  }

  /** Jobs still waiting in the queue are removed (best effort: a started one finishes). */
  private async withdraw(jobIds: Set<string>): Promise<void> {
    const queue = this.queues.queue(QueueName.SttUpload);
    for (const jobId of [...jobIds]) {
      try {
        await queue.remove(jobId);
      } catch (error) {
        this.logger.debug(`Job ${jobId} not withdrawn: ${(error as Error).message}`);
      }
    }
  }
}
