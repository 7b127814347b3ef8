import { Body, Controller, Get, HttpCode, HttpException, Post } from '@nestjs/common';
import { BadTranslateRequest, LanguageEntry } from './translate-request';
import {
  TranslateAnswer,
  TranslationApiService,
  TranslationRejected,
  TranslationUnavailable,
} from './translation-api.service';

/** LibreTranslate's API on the gateway: errors are `{"error": "..."}` as LibreTranslate sends. */
@Controller()
export class TranslationApiController {
  constructor(private readonly api: TranslationApiService) {}

  @Get('languages')
  languages(): Promise<LanguageEntry[]> {
    return this.api.languages();
  }

  @Post('translate')
  @HttpCode(200)
  async translate(@Body() body: unknown): Promise<TranslateAnswer> {
    try {
      return await this.api.translate(body);
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
