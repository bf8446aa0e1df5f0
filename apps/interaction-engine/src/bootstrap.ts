import 'reflect-metadata';
import { Logger, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { EventBus } from '@anvil/bus';
import {
  CallRateLimiter,
  EngineClient,
  MAX_TRACKED_CALLERS,
  createEngineHealth,
  freePort,
  throttledRefusalLog,
} from '@anvil/engine-contract';
import { EngineGrpcExceptionFilter, engineGrpcServerOptions } from '@anvil/engine-contract/nest';
import type { InteractionConfig } from './config/interaction-config';
import { EngineModule } from './engine/engine.module';
import { createBus } from './create-bus';
import { InteractionEvents } from './worlds/interaction-events';
import { PhysicsClients } from './worlds/physics-clients';
import { InteractionWorldsService, type Clock } from './worlds/interaction-worlds.service';

/** What `bootstrap` needs; `bus` is shared with other apps in embedded mode. */
export interface InteractionBootstrapOptions {
  config: InteractionConfig;
  /** The bus for game events; default: created from config.bus (and closed on close). */
  bus?: EventBus;
  /** Time for cooldowns and rate limits (tests); default: the monotonic system clock. */
  clock?: Clock;
  /** Nest logger setting; false silences Nest (tests). */
  logger?: false | Array<'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal'>;
}

/** A running interaction engine. */
export interface RunningInteractionEngine {
  /** The gRPC port actually bound (useful when config.grpc.port is 0). */
  port: number;
  /** host:port for clients on this machine. */
  address: string;
  worlds: InteractionWorldsService;
  /** Stops serving: health NOT_SERVING, gRPC server drained, physics clients closed, owned bus closed. */
  close(): Promise<void>;
}

const systemClock: Clock = { now: () => performance.now() };

/** Starts the interaction engine's gRPC server (EngineService + grpc.health.v1). */
export async function bootstrap(
  options: InteractionBootstrapOptions,
): Promise<RunningInteractionEngine> {
  const { config } = options;
  const ownsBus = !options.bus;
  const bus = options.bus ?? (await createBus(config.bus));
  const physics = new PhysicsClients(
    config.physics.address,
    (address) =>
      new EngineClient(address, {
        deadlineMs: config.physics.deadlineMs,
        maxMessageBytes: config.grpc.maxMessageBytes,
        access: { token: config.engineToken, caller: config.module.slice(0, 64) },
      }),
  );
  const events = new InteractionEvents(
    bus,
    (error, worldId, type) =>
      new Logger('InteractionEvents').error(
        `world ${worldId}: publishing ${type} failed: ${String(error)}`,
      ),
    config.bus.topicPrefix,
  );
  const port = config.grpc.port || (await freePort(config.grpc.host));
  const health = createEngineHealth();
  const clock = options.clock ?? systemClock;
  const callRate = new CallRateLimiter({
    perSecond: config.limits.maxCallsPerSecond,
    maxCallers: MAX_TRACKED_CALLERS,
  });
  const accessLogger = new Logger('EngineAccess');
  const app: INestMicroservice = await NestFactory.createMicroservice(
    EngineModule.forRoot({ physics, events, config, clock }),
    {
      ...engineGrpcServerOptions({
        url: `${config.grpc.host}:${port}`,
        maxMessageBytes: config.grpc.maxMessageBytes,
        health,
        access: {
          token: config.engineToken,
          admit: (caller) => callRate.admit(caller, clock.now()),
          onRefused: throttledRefusalLog((line) => accessLogger.warn(line)),
        },
      }),
      logger: options.logger ?? ['log', 'error', 'warn', 'fatal'],
    },
  );
  app.useGlobalFilters(new EngineGrpcExceptionFilter());
  await app.listen();
  health.setServing(true);
  const host = config.grpc.host === '0.0.0.0' ? '127.0.0.1' : config.grpc.host;
  new Logger('InteractionEngine').log(
    `serving EngineService on ${config.grpc.host}:${port} as module ${config.module}; physics at the world's binding, else ${config.physics.address}`,
  );
  let closing: Promise<void> | undefined;
  return {
    port,
    address: `${host}:${port}`,
    worlds: app.get(InteractionWorldsService),
    close: () =>
      (closing ??= (async () => {
        health.setServing(false);
        await app.close();
        await events.flush();
        physics.close();
        if (ownsBus) await bus.close();
      })()),
  };
}
