import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';

interface JsonResponse {
  status(code: number): JsonResponse;
  json(body: unknown): void;
}

/**
 * LibreTranslate clients read `{"error": "..."}`. Errors raised before the handler runs (the
 * multipart parser's, for example) come in Nest's `{statusCode, message}` shape: they are
 * reshaped, keeping their status.
 */
@Catch(HttpException)
export class LibreErrorFilter implements ExceptionFilter {
  catch(exception: HttpException, host: ArgumentsHost): void {
    const status = exception.getStatus();
    const body = exception.getResponse();
    const response = host.switchToHttp().getResponse<JsonResponse>();
    if (body && typeof body === 'object' && !('statusCode' in body) && 'error' in body) {
      response.status(status).json(body);
      return;
    }
    const message =
      body && typeof body === 'object' && 'message' in body ? body.message : exception.message;
    response
      .status(status)
      .json({ error: Array.isArray(message) ? message.join(', ') : String(message) });
  }
}
