import {
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  Logger,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { ApiKeyService } from '../api-keys/api-key.service';
import { VerifiedApiKey } from '../api-keys/api-key.types';

interface KeyedRequest {
  headers: Record<string, string | string[] | undefined>;
  apiKey?: VerifiedApiKey;
}

/** The key from `Authorization: Bearer <key>`, or undefined. */
export function bearerKey(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  return match?.[1];
}

/** Requires a valid, unrevoked API key; 401 otherwise. The key never reaches a log line. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly logger = new Logger('ApiKeyGuard');

  constructor(private readonly apiKeys: ApiKeyService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<KeyedRequest>();
    let verified: VerifiedApiKey | null;
    try {
      verified = await this.apiKeys.verify(bearerKey(request.headers.authorization));
    } catch (error) {
      this.logger.warn(
        `Key check unavailable: ${error instanceof Error ? error.message : String(error)}`,
      );
      throw new ServiceUnavailableException('The key store is unavailable; try again shortly');
    }
    if (!verified) {
      throw new UnauthorizedException('A valid API key is required: Authorization: Bearer <key>');
    }
    request.apiKey = verified;
    return true;
  }
}

/** The verified key of the request (set by ApiKeyGuard). */
export const CurrentApiKey = createParamDecorator(
  (_data: unknown, context: ExecutionContext): VerifiedApiKey => {
    const key = context.switchToHttp().getRequest<KeyedRequest>().apiKey;
    if (!key) throw new UnauthorizedException();
    return key;
  },
);
