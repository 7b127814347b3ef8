import { Controller, Get, Inject, Logger, Param, Post, Req, Res } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';
import { speechModelName } from '../common/config/speech-model-name';
import { AudioTask } from './audio-request';
import { AdmittedUpload, AudioUploadsService } from './audio-uploads.service';
import { FileTranscriptionService } from './file-transcription.service';
import { OpenAiCallersService } from './openai-callers.service';
import { OpenAiError } from './openai-error';
import { renderTranscript, transcriptText } from './transcript-formats';

/**
 * OpenAI's audio API on the gateway: `POST /v1/audio/transcriptions`, `POST
 * /v1/audio/translations`, `GET /v1/models`. Errors are OpenAI's `{"error": {...}}`. The same API
 * keys as every other entry point (`stream` scope; anonymous when AUTH_REQUIRED=false).
 */
@Controller('v1')
export class OpenAiAudioController {
  private readonly startedAt = Math.floor(Date.now() / 1000);
  private readonly logger = new Logger('OpenAiAudio');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly callers: OpenAiCallersService,
    private readonly uploads: AudioUploadsService,
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

  private audio(
    request: IncomingMessage,
    response: ServerResponse,
    task: AudioTask,
  ): Promise<void> {
    // First, so that decoding and transcription stop whenever the client leaves.
    const clientGone = new AbortController();
    response.on('close', () => {
      if (!response.writableFinished) clientGone.abort(new Error('the client went away'));
    });
    return this.uploads.run(request, task, clientGone.signal, (upload) =>
      this.transcribe(response, task, upload),
    );
  }

  private async transcribe(
    response: ServerResponse,
    task: AudioTask,
    { caller, request: audioRequest, pcm, signal }: AdmittedUpload,
  ): Promise<void> {
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
        signal,
      );
      sendEvent(response, {
        type: 'transcript.text.done',
        text: transcriptText(transcript.pieces),
      });
      response.end();
      return;
    }
    const transcript = await this.files.transcribe(pcm, options, undefined, signal);
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
      // The client left: nobody to answer, and its leaving is not a server failure.
      if (response.destroyed) return;
      const failure = error instanceof OpenAiError ? error : this.internal(request, error);
      if (response.headersSent) {
        if (!response.writableEnded) {
          sendEvent(response, failure.body());
          response.end();
        }
        return;
      }
      if (!request.complete) closeAfterAnswer(request, response);
      sendJson(response, failure.status, failure.body());
    }
  }

  /** What the client reads of a failure that is not its own: a reference, not our internals. */
  private internal(request: IncomingMessage, error: unknown): OpenAiError {
    const reference = randomUUID();
    this.logger.error(
      `${request.method} ${request.url} failed (reference ${reference}): ${(error as Error)?.stack ?? String(error)}`,
    );
    return new OpenAiError(500, `the request failed on the server (reference ${reference})`);
  }
}

/** How long a refused upload's connection may keep sending before it is cut. */
const REFUSED_BODY_GRACE_MS = 1000;

/**
 * The body of a refused request is not read to its end (it may be gigabytes): the answer says
 * `Connection: close`, the connection is half-closed once it is sent and cut a moment later,
 * whatever is still arriving.
 */
function closeAfterAnswer(request: IncomingMessage, response: ServerResponse): void {
  response.shouldKeepAlive = false;
  response.setHeader('Connection', 'close');
  request.unpipe();
  request.resume();
  response.once('finish', () => {
    const socket = request.socket;
    socket.end();
    setTimeout(() => socket.destroy(), REFUSED_BODY_GRACE_MS).unref();
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

function sendEvent(response: ServerResponse, event: unknown): void {
  response.write(`data: ${JSON.stringify(event)}\n\n`);
}
