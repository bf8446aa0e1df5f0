import {
  Catch,
  HttpException,
  HttpStatus,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { ErrorCode } from './error-codes';

/** Codes of the HTTP answers the filter gives for Nest's own HTTP exceptions. */
const CODE_OF_STATUS: Partial<Record<number, string>> = {
  [HttpStatus.NOT_FOUND]: 'NOT_FOUND',
  [HttpStatus.METHOD_NOT_ALLOWED]: 'METHOD_NOT_ALLOWED',
  [HttpStatus.SERVICE_UNAVAILABLE]: 'NOT_READY',
};

/**
 * The last-resort guard of the gateway's HTTP routes (probes, metrics): an HttpException keeps
 * its status and body, with a `code` added; anything else is 500 `{ code: INTERNAL }`, logged
 * with the caller's address, and the process carries on.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<IncomingMessage>();
    const response = http.getResponse<ServerResponse>();
    let status: number = HttpStatus.INTERNAL_SERVER_ERROR;
    let body: Record<string, unknown> = {
      statusCode: status,
      code: ErrorCode.Internal,
      message: 'internal gateway error',
    };
    if (exception instanceof HttpException) {
      status = exception.getStatus();
      const answer = exception.getResponse();
      const fields =
        typeof answer === 'object' && answer !== null
          ? (answer as Record<string, unknown>)
          : { message: answer };
      body = { code: CODE_OF_STATUS[status] ?? `HTTP_${status}`, ...fields };
    } else {
      this.logger.error(
        {
          err: exception,
          method: request.method,
          url: request.url?.slice(0, 200),
          address: request.socket?.remoteAddress,
        },
        'unexpected error in an HTTP route',
      );
    }
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
}
