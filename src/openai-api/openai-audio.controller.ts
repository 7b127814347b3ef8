import { Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { IncomingMessage, ServerResponse } from 'node:http';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { speechModelName } from '../common/config/speech-model-name';
import { AudioTask, parseAudioRequest } from './audio-request';
import { AudioDecoder, SAMPLE_RATE } from './audio-decoder';
import { FileTranscriptionService } from './file-transcription.service';
import { readUpload } from './multipart-upload';
import { OpenAiCallers } from './openai-callers.service';
import { OpenAiError } from './openai-error';
import { renderTranscript, transcriptText } from './transcript-formats';

/** Room for the multipart envelope and form fields around the file. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

/**
 * OpenAI's audio API on the gateway: `POST /v1/audio/transcriptions`, `POST
 * /v1/audio/translations`, `GET /v1/models`. Errors are OpenAI's `{"error": {...}}`. The same API
 * keys as every other entry point (`stream` scope; anonymous when AUTH_REQUIRED=false).
 */
@Controller('v1')
export class OpenAiAudioController {
  private readonly startedAt = Math.floor(Date.now() / 1000);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly callers: OpenAiCallers,
    private readonly decoder: AudioDecoder,
    private readonly files: FileTranscriptionService,
  ) {}

  /** Every `model` name is served by the model the stt workers load; this is its name. */
  private get modelId(): string {
    return speechModelName(this.config.stt);
  }

  private models(): { id: string; object: 'model'; created: number; owned_by: string }[] {
    return [...new Set(['whisper-1', this.modelId])].map((id) => ({
      id,
      object: 'model',
      created: this.startedAt,
      owned_by: 'system',
    }));
  }

  @Get('models')
  async listModels(
    @Req() request: IncomingMessage,
    @Res() response: ServerResponse,
  ): Promise<void> {
    await this.answer(request, response, async () => {
      await this.callers.authorize(request);
      sendJson(response, 200, { object: 'list', data: this.models() });
    });
  }

  @Get('models/:id')
  async getModel(
    @Req() request: IncomingMessage,
    @Res() response: ServerResponse,
    @Param('id') id: string,
  ): Promise<void> {
    await this.answer(request, response, async () => {
      await this.callers.authorize(request);
      const model = this.models().find((entry) => entry.id === id);
      if (!model)
        throw new OpenAiError(404, `the model '${id}' does not exist`, 'model', 'model_not_found');
      sendJson(response, 200, model);
    });
  }

  @Post('audio/transcriptions')
  transcriptions(@Req() request: IncomingMessage, @Res() response: ServerResponse): Promise<void> {
    return this.answer(request, response, () => this.audio(request, response, 'transcribe'));
  }

  @Post('audio/translations')
  translations(@Req() request: IncomingMessage, @Res() response: ServerResponse): Promise<void> {
    return this.answer(request, response, () => this.audio(request, response, 'translate'));
  }

  private async audio(
    request: IncomingMessage,
    response: ServerResponse,
    task: AudioTask,
  ): Promise<void> {
    const caller = await this.callers.authorize(request);
    const maxBytes = this.config.openaiApi.maxFileBytes;
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes + FORM_OVERHEAD_BYTES) {
      throw new OpenAiError(
        413,
        `the file is larger than the ${maxBytes} bytes this server accepts`,
        'file',
        'file_too_large',
      );
    }
    const upload = await readUpload(request, maxBytes);
    const audioRequest = parseAudioRequest(upload.fields, task);
    const pcm = await this.decoder.decode(upload.file.data);
    const seconds = pcm.length / SAMPLE_RATE;
    await this.callers.checkQuota(caller, seconds);

    const aborted = new AbortController();
    response.on('close', () => {
      if (!response.writableFinished) aborted.abort(new Error('client went away'));
    });
    this.callers.recordUpload(caller, seconds);
    const sessionId = FileTranscriptionService.newSessionId();
    // The archived transcript is the session's: GET /v1/sessions/{id}/transcript.
    response.setHeader('X-Session-Id', sessionId);
    const options = {
      sessionId,
      task,
      language: audioRequest.language,
      ...(audioRequest.prompt ? { prompt: audioRequest.prompt } : {}),
      wordTimings: audioRequest.granularities.includes('word'),
      temperature: audioRequest.temperature,
      keyId: caller.keyId,
    };
    if (audioRequest.stream) {
      response.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache',
        Connection: 'keep-alive',
      });
      let first = true;
      const transcript = await this.files.transcribe(
        pcm,
        options,
        (piece) => {
          const text = piece.text.trim();
          if (!text) return;
          sendEvent(response, { type: 'transcript.text.delta', delta: first ? text : ` ${text}` });
          first = false;
        },
        aborted.signal,
      );
      sendEvent(response, {
        type: 'transcript.text.done',
        text: transcriptText(transcript.pieces),
      });
      response.end();
      return;
    }
    const transcript = await this.files.transcribe(pcm, options, undefined, aborted.signal);
    const rendered = renderTranscript(transcript, audioRequest);
    response.writeHead(200, { 'Content-Type': `${rendered.contentType}; charset=utf-8` });
    response.end(rendered.body);
  }

  /** Runs a handler and answers its failure in OpenAI's shape (or ends a started stream). */
  private async answer(
    request: IncomingMessage,
    response: ServerResponse,
    handle: () => Promise<void>,
  ): Promise<void> {
    try {
      await handle();
    } catch (error) {
      const failure =
        error instanceof OpenAiError
          ? error
          : new OpenAiError(500, `transcription failed: ${(error as Error).message}`);
      if (response.headersSent) {
        if (!response.writableEnded) {
          sendEvent(response, failure.body());
          response.end();
        }
        return;
      }
      // The body may be unread (refused before the upload): read it away so the client sees
      // the answer instead of a reset connection.
      request.resume();
      sendJson(response, failure.status, failure.body());
    }
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

function sendEvent(response: ServerResponse, event: unknown): void {
  response.write(`data: ${JSON.stringify(event)}\n\n`);
}
