import { Catch, Logger, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { throwError, type Observable } from 'rxjs';
import { toGrpcStatus } from '../errors/grpc-status';

/**
 * The gRPC transport's one exception filter: EngineErrors become their gRPC status with the
 * error's message; anything else is logged and answered INTERNAL without leaking details.
 * Register with `app.useGlobalFilters(new EngineGrpcExceptionFilter())`.
 */
@Catch()
export class EngineGrpcExceptionFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('EngineGrpcExceptionFilter');

  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    if (exception instanceof RpcException) return throwError(() => exception.getError());
    const status = toGrpcStatus(exception);
    if (status.code === GrpcStatus.INTERNAL) {
      this.logger.error(`unhandled error: ${String(exception)}`, (exception as Error)?.stack);
    }
    return throwError(() => status);
  }
}
