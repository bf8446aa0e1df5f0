import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestMicroservice } from '@nestjs/common';
import type { EventBus } from '@anvil/bus';
import { createEngineHealth } from '@anvil/engine-contract';
import { EngineGrpcExceptionFilter, engineGrpcServerOptions } from '@anvil/engine-contract/nest';
import type { PhysicsConfig } from './config/physics-config';
import { EngineModule } from './engine/engine.module';
import { loadRapier } from './simulation/rapier';
import type { Clock, Timers } from './tick/clock';
import { createBus } from './worlds/create-bus';
import { WorldsService } from './worlds/worlds.service';
import { freePort } from './free-port';

/** What `bootstrap` needs; `bus` is shared with other apps in embedded mode. */
export interface PhysicsBootstrapOptions {
  config: PhysicsConfig;
  /** The bus to publish deltas on; default: created from config.bus (and closed on close). */
  bus?: EventBus;
  /** Time for the tick loops (tests); default: the monotonic system clock. */
  clock?: Clock;
  timers?: Timers;
  /** Nest logger setting; false silences Nest (tests). */
  logger?: false | Array<'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal'>;
}

/** A running physics engine. */
export interface RunningPhysicsEngine {
  /** The gRPC port actually bound (useful when config.grpc.port is 0). */
  port: number;
  /** host:port for clients on this machine. */
  address: string;
  /** The world registry (embedded launchers and tests). */
  worlds: WorldsService;
  /** Stops serving: health NOT_SERVING, gRPC server drained, worlds closed, owned bus closed. */
  close(): Promise<void>;
}

/** Starts the physics engine's gRPC server (EngineService + grpc.health.v1). */
export async function bootstrap(options: PhysicsBootstrapOptions): Promise<RunningPhysicsEngine> {
  const { config } = options;
  const rapier = await loadRapier();
  const ownsBus = !options.bus;
  const bus = options.bus ?? (await createBus(config.bus));
  const port = config.grpc.port || (await freePort(config.grpc.host));
  const health = createEngineHealth();
  const app: INestMicroservice = await NestFactory.createMicroservice(
    EngineModule.forRoot({ rapier, bus, config, clock: options.clock, timers: options.timers }),
    {
      ...engineGrpcServerOptions({
        url: `${config.grpc.host}:${port}`,
        maxMessageBytes: config.grpc.maxMessageBytes,
        health,
      }),
      logger: options.logger ?? ['log', 'error', 'warn', 'fatal'],
    },
  );
  app.useGlobalFilters(new EngineGrpcExceptionFilter());
  await app.listen();
  health.setServing(true);
  const host = config.grpc.host === '0.0.0.0' ? '127.0.0.1' : config.grpc.host;
  new Logger('PhysicsEngine').log(
    `serving EngineService on ${config.grpc.host}:${port} (${config.tick.mode}, ${config.tick.hz} Hz)`,
  );
  let closing: Promise<void> | undefined;
  return {
    port,
    address: `${host}:${port}`,
    worlds: app.get(WorldsService),
    close: () =>
      (closing ??= (async () => {
        health.setServing(false);
        await app.close();
        if (ownsBus) await bus.close();
      })()),
  };
}
