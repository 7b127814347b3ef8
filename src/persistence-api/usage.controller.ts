import { Controller, ForbiddenException, Get, Query, UseFilters, UseGuards } from '@nestjs/common';
import { SchemaPipe } from '../common/validation/schema.pipe';
import { hasScope } from '../persistence/api-keys/api-key.types';
import { UsageReport, UsageService } from '../persistence/usage/usage.service';
import { ApiKeyGuard, AuthenticatedKey, CurrentApiKey } from './api-key.guard';
import { UsageQuery, UsageQuerySchema } from './api-queries';
import { StoreErrorsFilter } from './store-errors.filter';

/** Usage of the calling key (an admin key may ask for any key, or `keyId=all`). */
@Controller('v1/usage')
@UseGuards(ApiKeyGuard)
@UseFilters(StoreErrorsFilter)
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  @Get()
  async report(
    @CurrentApiKey() key: AuthenticatedKey,
    @Query(new SchemaPipe(UsageQuerySchema)) { from, to, granularity, keyId }: UsageQuery,
  ): Promise<UsageReport & { keyId: string }> {
    const target = keyId ?? key.id;
    if (target !== key.id && !hasScope(key, 'admin')) {
      throw new ForbiddenException('Only an admin key may read the usage of other keys');
    }
    const report = await this.usage.report(
      target === 'all' ? undefined : target,
      from,
      to,
      granularity,
    );
    return { keyId: target, ...report };
  }
}
