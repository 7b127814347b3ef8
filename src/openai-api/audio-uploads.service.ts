import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { IncomingMessage } from 'node:http';
import { PIPELINE_SAMPLE_RATE } from '../audio/pipeline-rate';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { RevocationService } from '../security/revocation.service';
import { AudioDecoder, audioTooLong } from './audio-decoder';
import { AudioRequest, AudioTask, parseAudioRequest } from './audio-request';
import { readUpload } from './multipart-upload';
import { Caller, OpenAiCallersService } from './openai-callers.service';
import { OpenAiError } from './openai-error';
import { UploadSlots } from './upload-slots';

/** Room for the multipart envelope and form fields around the file. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

/** One upload, admitted, read, decoded and charged: what transcription needs. */
export interface AdmittedUpload {
  caller: Caller;
  request: AudioRequest;
  /** The decoded audio at the pipeline rate. */
  pcm: Int16Array;
  /** Aborted when the client leaves or its key is revoked; the reason is what to answer. */
  signal: AbortSignal;
}

/**
 * Takes an upload from the request to decoded, charged audio: authorizes it, refuses a body that
 * is too large before reading it, gives it a place (UploadSlots: per key, fair, bounded), reads
 * the form, holds its probed seconds against the key's quota before decoding, decodes it and
 * settles the quota on its real length. While it runs (transcription included) it is tracked by
 * key, so that revoking the key ends it at once with 401, wherever it is.
 */
@Injectable()
export class AudioUploadsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('AudioUploads');
  private readonly slots: UploadSlots;
  /** keyId -> the aborts of its uploads in progress on this gateway. */
  private readonly inProgress = new Map<string, Set<AbortController>>();
  private stopRevocations?: () => void;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly callers: OpenAiCallersService,
    private readonly decoder: AudioDecoder,
    private readonly revocations: RevocationService,
  ) {
    this.slots = new UploadSlots({
      perKey: config.openaiApi.uploadsPerKey,
      running: config.openaiApi.maxConcurrentUploads,
      waiting: config.openaiApi.maxWaitingUploads,
    });
  }

  onModuleInit(): void {
    this.stopRevocations = this.revocations.onRevoked((keyId) => this.revoke(keyId));
  }

  onModuleDestroy(): void {
    this.stopRevocations?.();
  }

  /** Uploads of the key in progress on this gateway. */
  inProgressFor(keyId: string): number {
    return this.inProgress.get(keyId)?.size ?? 0;
  }

  /**
   * Admits and decodes one upload, then runs `work` (its transcription) with it; its place and
   * tracking end when `work` does. `clientGone` is aborted when the client leaves.
   */
  async run<T>(
    request: IncomingMessage,
    task: AudioTask,
    clientGone: AbortSignal,
    work: (upload: AdmittedUpload) => Promise<T>,
  ): Promise<T> {
    const caller = await this.callers.authorize(request);
    this.refuseDeclaredSize(request);
    const control = new AbortController();
    const forward = (): void => control.abort(clientGone.reason);
    if (clientGone.aborted) forward();
    else clientGone.addEventListener('abort', forward, { once: true });
    const untrack = this.track(caller.keyId, control);
    try {
      const release = await this.slots.acquire(caller.slotKey, control.signal);
      try {
        const upload = await readUpload(request, this.config.openaiApi.maxFileBytes);
        const audioRequest = parseAudioRequest(upload.fields, task);
        const pcm = await this.decode(caller, upload.file.data, control.signal);
        control.signal.throwIfAborted();
        return await work({ caller, request: audioRequest, pcm, signal: control.signal });
      } finally {
        release();
      }
    } finally {
      untrack();
      clientGone.removeEventListener('abort', forward);
    }
  }

  private refuseDeclaredSize(request: IncomingMessage): void {
    const { maxFileBytes } = this.config.openaiApi;
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxFileBytes + FORM_OVERHEAD_BYTES) {
      throw new OpenAiError(
        413,
        `the file is larger than the ${maxFileBytes} bytes this server accepts`,
        'file',
        'file_too_large',
      );
    }
  }

  /** Decodes within OPENAI_MAX_AUDIO_SECONDS and the key's quota, charging what was decoded. */
  private async decode(caller: Caller, data: Buffer, signal: AbortSignal): Promise<Int16Array> {
    const { maxAudioSeconds } = this.config.openaiApi;
    const audio = await this.decoder.open(data, signal);
    try {
      if (audio.seconds !== undefined && audio.seconds > maxAudioSeconds) {
        throw audioTooLong(maxAudioSeconds, audio.seconds);
      }
      const hold = await this.callers.reserve(caller, audio.seconds ?? 0);
      let pcm: Int16Array;
      try {
        pcm = await audio.decode();
      } catch (error) {
        hold.release();
        throw error;
      }
      await hold.settle(pcm.length / PIPELINE_SAMPLE_RATE);
      return pcm;
    } finally {
      await audio.close();
    }
  }

  private track(keyId: string | null, control: AbortController): () => void {
    if (keyId === null) return () => undefined;
    const uploads = this.inProgress.get(keyId) ?? new Set<AbortController>();
    uploads.add(control);
    this.inProgress.set(keyId, uploads);
    return () => {
      uploads.delete(control);
      if (uploads.size === 0 && this.inProgress.get(keyId) === uploads) {
        this.inProgress.delete(keyId);
      }
    };
  }

  private revoke(keyId: string): void {
    const uploads = this.inProgress.get(keyId);
    if (!uploads) return;
    this.logger.log(`API key ${keyId} revoked: ending its ${uploads.size} upload(s)`);
    for (const control of uploads) {
      control.abort(
        new OpenAiError(
          401,
          'the API key was revoked while this upload was in progress',
          null,
          'invalid_api_key',
        ),
      );
    }
  }
}
