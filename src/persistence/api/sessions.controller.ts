import {
  BadRequestException,
  Controller,
  Delete,
  ForbiddenException,
  Get,
  NotFoundException,
  Param,
  Query,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { hasScope } from '../api-keys/api-key.types';
import {
  TRANSCRIPT_FORMATS,
  TranscriptFormat,
  TranscriptFormatService,
} from '../transcripts/transcript-format.service';
import { TranscriptQueryService } from '../transcripts/transcript-query.service';
import { ApiKeyGuard, AuthenticatedKey, CurrentApiKey } from './api-key.guard';
import { StoreErrorsFilter } from './store-errors.filter';

const SESSION_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const LANGUAGE = /^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})?$/;

interface HeaderResponse {
  setHeader(name: string, value: string): unknown;
}

function checkSessionId(id: string): void {
  if (!SESSION_ID.test(id)) throw new BadRequestException('Invalid session id');
}

/** Archived transcripts: the key that owned the session, or an admin key. */
@Controller('v1/sessions')
@UseGuards(ApiKeyGuard)
@UseFilters(StoreErrorsFilter)
export class SessionsController {
  constructor(
    private readonly transcripts: TranscriptQueryService,
    private readonly formatter: TranscriptFormatService,
  ) {}

  @Get(':id/transcript')
  async transcript(
    @Param('id') id: string,
    @Query('format') format: string | undefined,
    @Query('language') language: string | undefined,
    @CurrentApiKey() key: AuthenticatedKey,
    @Res({ passthrough: true }) response: HeaderResponse,
  ): Promise<string> {
    checkSessionId(id);
    const chosen = (format ?? 'json') as TranscriptFormat;
    if (!TRANSCRIPT_FORMATS.includes(chosen)) {
      throw new BadRequestException(`format must be one of ${TRANSCRIPT_FORMATS.join(', ')}`);
    }
    if (language !== undefined && !LANGUAGE.test(language)) {
      throw new BadRequestException('language must be a language code such as en or es');
    }
    const stored = await this.transcripts.find(id);
    if (!stored) throw new NotFoundException(`No transcript for session ${id}`);
    this.authorise(key, stored.keyId);
    const formatted = this.formatter.format(id, stored.entries, chosen, language);
    response.setHeader('content-type', formatted.contentType);
    if (chosen !== 'json') {
      response.setHeader('content-disposition', `inline; filename="${id}.${chosen}"`);
    }
    return formatted.body;
  }

  @Delete(':id')
  async remove(
    @Param('id') id: string,
    @CurrentApiKey() key: AuthenticatedKey,
  ): Promise<{ sessionId: string; deletedLines: number }> {
    checkSessionId(id);
    const owner = await this.transcripts.ownerOf(id);
    if (owner === undefined) throw new NotFoundException(`No transcript for session ${id}`);
    this.authorise(key, owner);
    return { sessionId: id, deletedLines: await this.transcripts.delete(id) };
  }

  private authorise(key: AuthenticatedKey, owner: string): void {
    if (key.id !== owner && !hasScope(key, 'admin')) {
      throw new ForbiddenException('This session belongs to another key');
    }
  }
}
