import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { StorageError } from '@anvil/storage';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { ApiError, ApiErrorCode } from './api-error';

/**
 * Every HTTP error of the app as `{ error: { code, message } }`: an ApiError as it is, Nest's own
 * (an unknown route) by status, a storage failure 503, anything else 500 INTERNAL, logged with
 * the request; the details of the last two go to the log, never to the caller.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<IncomingMessage>();
    const response = http.getResponse<ServerResponse>();
    const { status, body } = this.answer(exception, request);
    if (response.headersSent) {
      response.end();
      return;
    }
    const text = JSON.stringify(body);
    response.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    });
    response.end(text);
  }

  private answer(exception: unknown, request: IncomingMessage): { status: number; body: object } {
    const reply = (status: number, code: string, message: string, more = {}) => ({
      status,
      body: { error: { code, message }, ...more },
    });
    if (exception instanceof ApiError)
      return reply(exception.status, exception.code, exception.message, exception.details);
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = status === 404 ? ApiErrorCode.NotFound : `HTTP_${status}`;
      return reply(status, code, status === 404 ? 'no such route' : exception.message);
    }
    const where = { method: request.method, url: request.url?.slice(0, 200) };
    if (exception instanceof StorageError) {
      this.logger.warn({ err: exception, ...where }, 'storage failed in an HTTP route');
      return reply(503, ApiErrorCode.StorageUnavailable, 'the figures database is unavailable');
    }
    this.logger.error({ err: exception, ...where }, 'unexpected error in an HTTP route');
    return reply(500, ApiErrorCode.Internal, 'internal analytics error');
  }
}
