import { Logger, type INestMicroservice, type LogLevel } from '@nestjs/common';
import type { GrpcOptions } from '@nestjs/microservices';
import { throttledRefusalLog } from '../access/refusal-log';
import { freePort } from '../grpc/free-port';
import { createEngineHealth, type EngineHealth } from '../grpc/health-service.options';
import { CommandStreams } from '../streams/command-streams';
import { CallRateLimiter, MAX_TRACKED_CALLERS } from '../quotas/call-rate';
import { EngineGrpcExceptionFilter } from './engine-grpc-exception.filter';
import { engineGrpcServerOptions } from './engine-grpc.options';

/** What every engine's gRPC server is set up from. */
export interface EngineServerSettings {
  /** Port 0 picks a free one. */
  grpc: { host: string; port: number; maxMessageBytes: number };
  /** The engine token every EngineService call must carry. */
  engineToken: string;
  /** EngineService calls one caller may make per second. */
  maxCallsPerSecond: number;
  /** Monotonic milliseconds, for the call rate. */
  clock: { now(): number };
  /** Nest logger setting; false silences Nest (tests). Default: log, error, warn, fatal. */
  logger?: false | LogLevel[];
}

/** An engine's server before Nest creates it: the options to create it with, then `serve`. */
export interface EngineServer {
  /** The gRPC port (chosen when settings asked for 0). */
  port: number;
  /** host:port for clients on this machine. */
  address: string;
  health: EngineHealth;
  /** For `NestFactory.createMicroservice`. */
  options: GrpcOptions & { logger: false | LogLevel[] };
  /** Installs the exception filter, listens and reports SERVING. */
  serve(app: INestMicroservice): Promise<void>;
  /** Reports NOT_SERVING, ends the command streams (answering what they took), closes the server. */
  stop(app: INestMicroservice): Promise<void>;
}

/**
 * The setup both engines share: port, health service, the access interceptor (engine token and
 * per-caller call rate, refusals logged at most every few seconds) and the exception filter.
 */
export async function engineServer(settings: EngineServerSettings): Promise<EngineServer> {
  const { grpc, clock } = settings;
  const port = grpc.port || (await freePort(grpc.host));
  const health = createEngineHealth();
  const callRate = new CallRateLimiter({
    perSecond: settings.maxCallsPerSecond,
    maxCallers: MAX_TRACKED_CALLERS,
  });
  const accessLogger = new Logger('EngineAccess');
  const host = grpc.host === '0.0.0.0' ? '127.0.0.1' : grpc.host;
  return {
    port,
    address: `${host}:${port}`,
    health,
    options: {
      ...engineGrpcServerOptions({
        url: `${grpc.host}:${port}`,
        maxMessageBytes: grpc.maxMessageBytes,
        health,
        access: {
          token: settings.engineToken,
          admit: (caller) => callRate.admit(caller, clock.now()),
          onRefused: throttledRefusalLog((line) => accessLogger.warn(line)),
        },
      }),
      logger: settings.logger ?? ['log', 'error', 'warn', 'fatal'],
    },
    serve: async (app) => {
      app.useGlobalFilters(new EngineGrpcExceptionFilter());
      await app.listen();
      health.setServing(true);
    },
    stop: async (app) => {
      health.setServing(false);
      // A stream lasts until one side ends it; the server's graceful shutdown waits for that.
      await app.get(CommandStreams).close();
      await app.close();
    },
  };
}
