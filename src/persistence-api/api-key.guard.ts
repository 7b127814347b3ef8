import {
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  HttpException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { IncomingMessage } from 'node:http';
import { VerifiedApiKey } from '../persistence/api-keys/api-key.types';
import { UpgradeAuthService } from '../security/upgrade-auth.service';

/** The key a request was authenticated with (what the controllers need of it). */
export type AuthenticatedKey = Pick<VerifiedApiKey, 'id' | 'scopes'>;

type KeyedRequest = IncomingMessage & { apiKey?: AuthenticatedKey };

/**
 * The transcript and usage API: a valid, unrevoked API key with the `transcripts` scope (or
 * `admin`). 401 without one, 403 without the scope, 429 past the failed-auth limit (the same
 * counters as the WebSocket upgrade), 503 when the key store is unavailable. The key never
 * reaches a log line.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly auth: UpgradeAuthService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<KeyedRequest>();
    const decision = await this.auth.authorize(request, { mode: 'http', scope: 'transcripts' });
    if (!decision.ok) {
      throw new HttpException(
        { statusCode: decision.status, message: decision.reason },
        decision.status,
      );
    }
    request.apiKey = { id: decision.principal.keyId!, scopes: [...decision.principal.scopes] };
    return true;
  }
}

/** The verified key of the request (set by ApiKeyGuard). */
export const CurrentApiKey = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedKey => {
    const key = context.switchToHttp().getRequest<KeyedRequest>().apiKey;
    if (!key) throw new UnauthorizedException();
    return key;
  },
);
