import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpException,
  Post,
  Req,
  UseFilters,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { NoFilesInterceptor } from '@nestjs/platform-express';
import { IncomingMessage } from 'node:http';
import { UpgradeAuthService } from '../security/upgrade-auth.service';
import { DetectedLanguage } from './language-detection';
import { LibreErrorFilter } from './libre-error.filter';
import { MultipartSizeGuard } from './multipart-size.guard';
import { BadTranslateRequest, LanguageEntry } from './translate-request';
import {
  FrontendSettings,
  TranslateAnswer,
  TranslationApiService,
  TranslationRejected,
  TranslationUnavailable,
} from './translation-api.service';

/**
 * LibreTranslate's API on the gateway: errors are `{"error": "..."}` as LibreTranslate sends.
 * Bodies may be JSON, form-encoded or multipart (fields only). With AUTH_REQUIRED, POST
 * /translate and /detect need an API key (`Authorization: Bearer` or LibreTranslate's `api_key`
 * field), with the same failed-auth limits as every other entry point.
 */
@Controller()
@UseFilters(LibreErrorFilter)
export class TranslationApiController {
  constructor(
    private readonly api: TranslationApiService,
    private readonly auth: UpgradeAuthService,
  ) {}

  @Get('languages')
  languages(): Promise<LanguageEntry[]> {
    return this.api.languages();
  }

  @Get('frontend/settings')
  frontendSettings(): Promise<FrontendSettings> {
    return this.answer(() => this.api.frontendSettings());
  }

  @Post('translate')
  @HttpCode(200)
  @UseGuards(MultipartSizeGuard)
  @UseInterceptors(NoFilesInterceptor())
  async translate(
    @Req() request: IncomingMessage,
    @Body() body: unknown,
  ): Promise<TranslateAnswer> {
    const caller = await this.caller(request, body);
    return this.answer(() => this.api.translate(body, caller));
  }

  @Post('detect')
  @HttpCode(200)
  @UseGuards(MultipartSizeGuard)
  @UseInterceptors(NoFilesInterceptor())
  async detect(
    @Req() request: IncomingMessage,
    @Body() body: unknown,
  ): Promise<DetectedLanguage[]> {
    const caller = await this.caller(request, body);
    return this.answer(() => this.api.detect(body, caller));
  }

  /** Who pays for the request (rate limit): the API key id, or the client address. */
  private async caller(request: IncomingMessage, body: unknown): Promise<string> {
    const bodyKey =
      body && typeof body === 'object' ? (body as Record<string, unknown>).api_key : undefined;
    const decision = await this.auth.authorize(request, {
      mode: 'http',
      bodyKey,
      anonymousWhenAuthOff: true,
    });
    if (!decision.ok) throw new HttpException({ error: decision.reason }, decision.status);
    return decision.principal.keyId ?? `ip:${this.auth.clientAddress(request)}`;
  }

  private async answer<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof BadTranslateRequest)
        throw new HttpException({ error: error.message }, 400);
      if (error instanceof TranslationUnavailable) {
        throw new HttpException({ error: error.message }, 503);
      }
      if (error instanceof TranslationRejected) {
        throw new HttpException({ error: error.message }, error.status);
      }
      throw error;
    }
  }
}
