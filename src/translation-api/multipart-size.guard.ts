import { CanActivate, ExecutionContext, HttpException, Inject, Injectable } from '@nestjs/common';
import { IncomingMessage } from 'node:http';
import { APP_CONFIG, AppConfig } from '../common/config/app-config';

/**
 * MAX_BODY_BYTES for multipart bodies. The multipart parser limits each field, not the whole
 * body, so a body is refused before parsing when it announces more (or announces no length).
 */
@Injectable()
export class MultipartSizeGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<IncomingMessage>();
    const type = request.headers['content-type'] ?? '';
    if (!/^multipart\//i.test(type)) return true;
    const length = Number(request.headers['content-length']);
    if (!Number.isFinite(length) || request.headers['content-length'] === undefined) {
      throw new HttpException({ error: 'A multipart body needs a Content-Length' }, 411);
    }
    const limit = this.config.security.maxBodyBytes;
    if (length > limit) {
      throw new HttpException({ error: `Request body larger than ${limit} bytes` }, 413);
    }
    return true;
  }
}
