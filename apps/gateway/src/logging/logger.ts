import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';
import type { GatewayConfig } from '../config/gateway-config';

/** The gateway's structured logger (JSON lines on stdout). */
export function createLogger(level: GatewayConfig['logLevel'], instanceId: string): Logger {
  return pino({ level, base: { app: 'gateway', instance: instanceId } });
}

/** Nest's own messages, through pino. */
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
