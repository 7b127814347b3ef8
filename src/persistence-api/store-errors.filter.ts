import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';

interface JsonResponse {
  status(code: number): { json(body: unknown): unknown };
}

/**
 * HTTP errors pass through as Nest answers them; anything else here is the database failing
 * (it is the only thing these endpoints talk to besides Redis), answered 503 so clients retry
 * instead of treating it as a bug.
 */
@Catch()
export class StoreErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('PersistenceApi');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<JsonResponse>();
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      response
        .status(exception.getStatus())
        .json(
          typeof body === 'string' ? { statusCode: exception.getStatus(), message: body } : body,
        );
      return;
    }
    this.logger.warn(
      `Store unavailable: ${exception instanceof Error ? exception.message : String(exception)}`,
    );
    response.status(HttpStatus.SERVICE_UNAVAILABLE).json({
      statusCode: HttpStatus.SERVICE_UNAVAILABLE,
      message: 'The store of record is unavailable; try again shortly',
      error: 'Service Unavailable',
    });
  }
}
