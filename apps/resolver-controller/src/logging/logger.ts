import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';
import type { ControllerConfig } from '../config/controller-config';
import type { Log } from '../reconcile/cluster-writer';

/** The process logger: JSON lines on stdout (pino), every line tagged with the app and replica. */
export function createLogger(level: ControllerConfig['logLevel'], identity: string): Logger {
  return pino({
    level,
    base: { app: 'resolver-controller', replica: identity },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

/** pino as the reconciler's Log. */
export function asLog(logger: Logger): Log {
  return logger as unknown as Log;
}

/** Routes Nest's own log lines into pino. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
  fatal(message: unknown, context?: string): void {
    this.logger.fatal({ context }, String(message));
  }
}
