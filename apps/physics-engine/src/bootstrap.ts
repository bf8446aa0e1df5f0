import 'reflect-metadata';
import { Logger, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { EventBus } from '@anvil/bus';
import { WorldOwnedElsewhereError } from '@anvil/engine-contract';
import { engineServer } from '@anvil/engine-contract/nest';
import {
  MetricsServer,
  closeOnce,
  holdBus,
  systemClock,
  type Clock,
  type Timers,
} from '@anvil/runtime';
import { openMigratedStorage, type Storage } from '@anvil/storage';
import type { PhysicsConfig } from './config/physics-config';
import { EngineModule } from './engine/engine.module';
import { followWorldLogs } from './log/read-log';
import { loadRapier } from './simulation/rapier';
import { STATE_FORMAT_VERSION } from './simulation/state-codec';
import {
  PHYSICS_ROLE,
  Placement,
  replicaLeases,
  replicaTakeover,
  waitForTaker,
  warmReplica,
} from '@anvil/ownership';
import { CheckpointService } from './worlds/checkpoints';
import { WorldsService } from './worlds/worlds.service';

/** What `bootstrap` needs; `bus` is shared with other apps in embedded mode. */
export interface PhysicsBootstrapOptions {
  config: PhysicsConfig;
  /** The bus to publish deltas on; default: created from config.bus (and closed on close). */
  bus?: EventBus;
  /**
   * Storage for checkpoints, already migrated (the embedded host shares one); default: opened
   * from config.databaseUrl and migrated (and closed on close), or none without a URL.
   */
  storage?: Storage;
  /** Time for the tick loops and call rates (tests); default: the monotonic system clock. */
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
  const { bus, release: releaseBus } = await holdBus(options.bus, config.bus);
  const ownsStorage = !options.storage && Boolean(config.databaseUrl);
  const storage =
    options.storage ??
    (config.databaseUrl ? await openMigratedStorage(config.databaseUrl) : undefined);
  const checkpoints = storage
    ? new CheckpointService({
        storage,
        everyTicks: config.checkpoint.everyTicks,
        keep: config.checkpoint.keep,
        onError: (worldId, tick, error) =>
          new Logger('Checkpoints').error(
            `world ${worldId}: saving the checkpoint of tick ${tick} failed: ${String(error)}`,
          ),
      })
    : undefined;
  const ownership = storage
    ? replicaLeases({
        leases: storage.leases,
        config: config.ownership,
        role: PHYSICS_ROLE,
        address: () => address,
        log: new Logger('WorldOwnership'),
        stateFormat: STATE_FORMAT_VERSION,
      })
    : undefined;
  if (ownership) {
    followWorldLogs(bus, config.bus.topicPrefix, (error) =>
      new Logger('CommandLog').warn(
        `holding the recent command log in memory failed (restores read it back instead): ${String(error)}`,
      ),
    );
  }
  if (storage) await warmReplica(storage, bus, new Logger('WorldOwnership'));
  let address = '';
  const server = await engineServer({
    ...config,
    maxCallsPerSecond: config.limits.maxCallsPerSecond,
    clock: options.clock ?? systemClock,
    logger: options.logger,
  });
  const app: INestMicroservice = await NestFactory.createMicroservice(
    EngineModule.forRoot({
      rapier,
      bus,
      config,
      clock: options.clock,
      timers: options.timers,
      checkpoints,
      ownership,
      placement: storage && new Placement(storage.replicas, PHYSICS_ROLE),
    }),
    server.options,
  );
  const worlds = app.get(WorldsService);
  ownership?.onLost((worldId, reason) => void worlds.lose(worldId, reason));
  await server.serve(app);
  address = config.ownership.advertiseAddress ?? server.address;
  const { limits } = config;
  const takeover =
    storage && ownership
      ? replicaTakeover({
          leases: storage.leases,
          replicas: storage.replicas,
          ownership,
          config: config.ownership,
          address: () => address,
          capacity: () => ({
            worlds: worlds.size,
            bodies: worlds.totalBodies(),
            maxWorlds: limits.maxWorlds,
            maxBodies: limits.maxBodiesTotal,
          }),
          takeOver: (worldId, spec) => worlds.takeOver(worldId, spec),
          shed: config.rebalance ? (to) => worlds.shedOne(to) : undefined,
          // Only worlds this build can restore are planned for it, and it sheds only to readers.
          stateFormat: STATE_FORMAT_VERSION,
          // Another replica won the race for the world.
          lostRace: (error) => error instanceof WorldOwnedElsewhereError,
          log: new Logger('Takeover'),
        })
      : undefined;
  takeover?.start();
  const metrics = config.metrics && new MetricsServer(worlds.metrics.registry);
  const metricsPort = metrics && (await metrics.listen(config.metrics!.host, config.metrics!.port));
  new Logger('PhysicsEngine').log(
    `serving EngineService on ${config.grpc.host}:${server.port} (${config.tick.mode}, ${config.tick.hz} Hz, version ${config.version ?? 'not set'})${metricsPort ? `; metrics on ${config.metrics!.host}:${metricsPort}/metrics` : ''}`,
  );
  return {
    port: server.port,
    address: server.address,
    worlds,
    close: closeOnce(async () => {
      const began = performance.now();
      const held = worlds.size;
      await takeover?.stop();
      const roundsStopped = performance.now();
      let takerFound = roundsStopped;
      // Worlds are handed over while this replica still answers: callers learn at once that a
      // world left (NOT_FOUND) and find it on its new owner. While only older builds are live,
      // they go on running here first (half the shutdown's time at most) in case a reader comes.
      await worlds.closeAll(
        storage && ownership
          ? () =>
              waitForTaker({
                replicas: storage.replicas,
                ownership,
                config: config.ownership,
                stateFormat: STATE_FORMAT_VERSION,
                timeoutMs: Math.floor(config.shutdownTimeoutMs / 2),
                worlds: () => worlds.ids(),
                log: new Logger('Drain'),
              }).finally(() => (takerFound = performance.now()))
          : undefined,
      );
      if (held > 0) {
        const ms = (from: number, to: number) => Math.round(to - from);
        const handedOver = performance.now();
        new Logger('Drain').log(
          `${held} worlds left this replica in ${ms(began, handedOver)} ms (takeover rounds stopped ${ms(began, roundsStopped)}, taker wait ${ms(roundsStopped, takerFound)}, handovers ${ms(takerFound, handedOver)})`,
        );
      }
      await server.stop(app);
      await ownership?.stop();
      await releaseBus();
      if (ownsStorage) await storage?.close();
      await metrics?.close();
    }),
  };
}
