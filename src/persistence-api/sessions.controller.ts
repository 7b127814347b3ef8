import {
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
import { hasScope } from '../persistence/api-keys/api-key.types';
import { SchemaPipe } from '../common/validation/schema.pipe';
import { TranscriptFormatService } from '../persistence/transcripts/transcript-format.service';
import { TranscriptQueryService } from '../persistence/transcripts/transcript-query.service';
import { ApiKeyGuard, AuthenticatedKey, CurrentApiKey } from './api-key.guard';
import { SessionIdSchema, TranscriptQuery, TranscriptQuerySchema } from './api-queries';
import { StoreErrorsFilter } from './store-errors.filter';

interface HeaderResponse {
  setHeader(name: string, value: string): unknown;
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
    @Param('id', new SchemaPipe(SessionIdSchema)) id: string,
    @Query(new SchemaPipe(TranscriptQuerySchema)) { format, language }: TranscriptQuery,
    @CurrentApiKey() key: AuthenticatedKey,
    @Res({ passthrough: true }) response: HeaderResponse,
  ): Promise<string> {
    const stored = await this.transcripts.find(id);
    if (!stored) throw new NotFoundException(`No transcript for session ${id}`);
    this.authorise(key, stored.keyId);
    const formatted = this.formatter.format(id, stored.entries, format, language);
    response.setHeader('content-type', formatted.contentType);
    if (format !== 'json') {
      response.setHeader('content-disposition', `inline; filename="${id}.${format}"`);
    }
    return formatted.body;
  }

  @Delete(':id')
  async remove(
    @Param('id', new SchemaPipe(SessionIdSchema)) id: string,
    @CurrentApiKey() key: AuthenticatedKey,
  ): Promise<{ sessionId: string; deletedLines: number }> {
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
