import pino, { type Logger } from 'pino';
import type { LogLevel } from '../config/shared-env';
import type { ProcessLog } from '../process/run-main';

/** What every line of a process carries besides its message. */
export interface LoggerOptions {
  /** The app's name (`app` on every line). */
  app: string;
  level: LogLevel;
  /** More fields on every line (the instance, the replica). */
  base?: Record<string, string>;
  /** ISO-8601 `time` instead of epoch milliseconds. */
  isoTime?: boolean;
}

/** A process's structured logger: JSON lines on stdout (pino). */
export function createLogger(options: LoggerOptions): Logger {
  return pino({
    level: options.level,
    base: { app: options.app, ...options.base },
    ...(options.isoTime ? { timestamp: pino.stdTimeFunctions.isoTime } : {}),
  });
}

type Level = 'info' | 'warn' | 'debug' | 'trace' | 'fatal';

/** Nest's own log lines, through pino (Nest's LoggerService, structurally). */
export class NestPinoLogger {
  readonly log = this.at('info');
  readonly warn = this.at('warn');
  readonly debug = this.at('debug');
  readonly verbose = this.at('trace');
  readonly fatal = this.at('fatal');

  constructor(private readonly logger: Logger) {}

  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }

  private at(level: Level): (message: unknown, context?: string) => void {
    return (message, context) => this.logger[level]({ context }, String(message));
  }
}

/** A pino logger as the lifecycle's log (`runMain`'s `log`). */
export function processLogOf(logger: Logger): ProcessLog {
  return {
    log: (message) => logger.info(message),
    error: (message, stack) => logger.error({ stack }, message),
  };
}
