import {
  Controller,
  Get,
  Header,
  HttpCode,
  HttpException,
  Post,
  Req,
  ServiceUnavailableException,
} from '@nestjs/common';
import { IncomingMessage } from 'node:http';
import { IssuedToken, TokenIssuerService } from './token-issuer.service';
import { UpgradeAuthService } from './upgrade-auth.service';

/** `POST /v1/tokens` with `Authorization: Bearer <API key>`: a short-lived session token. */
@Controller('v1/tokens')
export class TokensController {
  constructor(
    private readonly auth: UpgradeAuthService,
    private readonly issuer: TokenIssuerService,
  ) {}

  /**
   * What a page needs to know before it connects: whether a credential is required and whether
   * tokens can be issued (the web app then asks POST /v1/tokens for one per connect).
   */
  @Get()
  @Header('Cache-Control', 'no-store')
  info(): { auth_required: boolean; tokens: boolean } {
    return { auth_required: this.auth.authRequired, tokens: this.issuer.available };
  }

  @Post()
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  async create(@Req() request: IncomingMessage): Promise<IssuedToken> {
    if (!this.issuer.available) {
      throw new ServiceUnavailableException(
        'session tokens are not available: no signing key is configured',
      );
    }
    const decision = await this.auth.authorize(request, true);
    if (!decision.ok) {
      throw new HttpException(
        { statusCode: decision.status, message: decision.reason },
        decision.status,
      );
    }
    return this.issuer.issue(decision.principal, 'http');
  }
}
