import {
  BadRequestException,
  Controller,
  ForbiddenException,
  Get,
  Query,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { hasScope } from '../api-keys/api-key.types';
import { UsageReport, UsageService } from '../usage/usage.service';
import { ApiKeyGuard, AuthenticatedKey, CurrentApiKey } from './api-key.guard';
import { StoreErrorsFilter } from './store-errors.filter';

const DAY_MS = 86_400_000;
const MAX_RANGE_MS = 400 * DAY_MS;

function parseDate(value: string | undefined, name: string, fallback: Date): Date {
  if (value === undefined) return fallback;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new BadRequestException(`${name} must be an ISO date`);
  return date;
}

/** Usage of the calling key (an admin key may ask for any key, or `keyId=all`). */
@Controller('v1/usage')
@UseGuards(ApiKeyGuard)
@UseFilters(StoreErrorsFilter)
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  @Get()
  async report(
    @CurrentApiKey() key: AuthenticatedKey,
    @Query('from') fromText: string | undefined,
    @Query('to') toText: string | undefined,
    @Query('granularity') granularity: string | undefined,
    @Query('keyId') keyId: string | undefined,
  ): Promise<UsageReport & { keyId: string }> {
    const now = Date.now();
    const to = parseDate(toText, 'to', new Date(now + 1));
    const from = parseDate(fromText, 'from', new Date(to.getTime() - 30 * DAY_MS));
    if (from >= to || to.getTime() - from.getTime() > MAX_RANGE_MS) {
      throw new BadRequestException('from must be before to, at most 400 days apart');
    }
    const chosen = granularity ?? 'day';
    if (chosen !== 'hour' && chosen !== 'day') {
      throw new BadRequestException('granularity must be hour or day');
    }
    const target = keyId ?? key.id;
    if (target !== key.id && !hasScope(key, 'admin')) {
      throw new ForbiddenException('Only an admin key may read the usage of other keys');
    }
    const report = await this.usage.report(target === 'all' ? undefined : target, from, to, chosen);
    return { keyId: target, ...report };
  }
}
