import { Catch, Logger, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { throwError, type Observable } from 'rxjs';
import { callerOf } from '../access/engine-token';
import { toGrpcStatus } from '../errors/grpc-status';

/**
 * The gRPC transport's one exception filter: EngineErrors become their gRPC status with the
 * error's message; anything else (a bug: a TypeError thrown or an async rejection) is logged
 * with the caller and the call path and answered INTERNAL without leaking details. Nest routes
 * both synchronous throws and rejected promises of a handler here, so the process goes on.
 * Register with `app.useGlobalFilters(new EngineGrpcExceptionFilter())`.
 */
@Catch()
export class EngineGrpcExceptionFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('EngineGrpcExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    if (exception instanceof RpcException) return throwError(() => exception.getError());
    const status = toGrpcStatus(exception);
    if (status.code === GrpcStatus.INTERNAL) {
      const metadata = host.getArgByIndex<unknown>(1);
      const caller = metadata instanceof Metadata ? (callerOf(metadata) ?? 'malformed') : 'unknown';
      const path = host.getArgByIndex<{ getPath?: () => string } | undefined>(2)?.getPath?.();
      this.logger.error(
        `unhandled error in ${path ?? 'a call'} from caller "${caller}": ${String(exception)}`,
        (exception as Error)?.stack,
      );
    }
    return throwError(() => status);
  }
}
