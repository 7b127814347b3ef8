import { Body, Controller, Get, HttpCode, HttpException, Post, Req } from '@nestjs/common';
import { IncomingMessage } from 'node:http';
import { UpgradeAuthService } from '../security/upgrade-auth.service';
import { BadTranslateRequest, LanguageEntry } from './translate-request';
import {
  TranslateAnswer,
  TranslationApiService,
  TranslationRejected,
  TranslationUnavailable,
} from './translation-api.service';

/**
 * LibreTranslate's API on the gateway: errors are `{"error": "..."}` as LibreTranslate sends.
 * With AUTH_REQUIRED, POST /translate needs an API key (`Authorization: Bearer` or LibreTranslate's
 * `api_key` field), with the same failed-auth limits as every other entry point.
 */
@Controller()
export class TranslationApiController {
  constructor(
    private readonly api: TranslationApiService,
    private readonly auth: UpgradeAuthService,
  ) {}

  @Get('languages')
  languages(): Promise<LanguageEntry[]> {
    return this.api.languages();
  }

  @Post('translate')
  @HttpCode(200)
  async translate(
    @Req() request: IncomingMessage,
    @Body() body: unknown,
  ): Promise<TranslateAnswer> {
    const bodyKey =
      body && typeof body === 'object' ? (body as Record<string, unknown>).api_key : undefined;
    const decision = await this.auth.authorize(request, {
      mode: 'http',
      bodyKey,
      anonymousWhenAuthOff: true,
    });
    if (!decision.ok) throw new HttpException({ error: decision.reason }, decision.status);
    const caller = decision.principal.keyId ?? `ip:${this.auth.clientAddress(request)}`;
    try {
      return await this.api.translate(body, caller);
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
