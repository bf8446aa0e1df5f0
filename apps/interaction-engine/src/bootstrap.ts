import 'reflect-metadata';
import { Logger, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { EventBus } from '@anvil/bus';
import { CommandStreamClient, EngineClient } from '@anvil/engine-contract';
import { engineServer } from '@anvil/engine-contract/nest';
import { closeOnce, holdBus, systemClock, type Clock } from '@anvil/runtime';
import type { InteractionConfig } from './config/interaction-config';
import { EngineModule } from './engine/engine.module';
import { InteractionEvents } from './worlds/interaction-events';
import { PhysicsClients } from './worlds/physics-clients';
import { InteractionWorldsService } from './worlds/interaction-worlds.service';

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

/** Starts the interaction engine's gRPC server (EngineService + grpc.health.v1). */
export async function bootstrap(
  options: InteractionBootstrapOptions,
): Promise<RunningInteractionEngine> {
  const { config } = options;
  const { bus, release: releaseBus } = await holdBus(options.bus, config.bus);
  const physics = new PhysicsClients(config.physics.address, (address) => {
    const options = {
      deadlineMs: config.physics.deadlineMs,
      maxMessageBytes: config.grpc.maxMessageBytes,
      access: { token: config.engineToken, caller: config.module.slice(0, 64) },
    };
    return {
      calls: new EngineClient(address, options),
      commands: new CommandStreamClient(address, options),
    };
  });
  const events = new InteractionEvents(
    bus,
    (error, worldId, type) =>
      new Logger('InteractionEvents').error(
        `world ${worldId}: publishing ${type} failed: ${String(error)}`,
      ),
    config.bus.topicPrefix,
  );
  const clock = options.clock ?? systemClock;
  const server = await engineServer({
    ...config,
    maxCallsPerSecond: config.limits.maxCallsPerSecond,
    clock,
    logger: options.logger,
  });
  const app: INestMicroservice = await NestFactory.createMicroservice(
    EngineModule.forRoot({ physics, events, config, clock }),
    server.options,
  );
  await server.serve(app);
  new Logger('InteractionEngine').log(
    `serving EngineService on ${config.grpc.host}:${server.port} as module ${config.module}; physics at the world's binding, else ${config.physics.address}`,
  );
  return {
    port: server.port,
    address: server.address,
    worlds: app.get(InteractionWorldsService),
    close: closeOnce(async () => {
      await server.stop(app);
      await events.flush();
      physics.close();
      await releaseBus();
    }),
  };
}
