import 'reflect-metadata';
import { Logger, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { EventBus } from '@anvil/bus';
import { PreconditionError } from '@anvil/engine-contract';
import { engineServer } from '@anvil/engine-contract/nest';
import { closeOnce, holdBus, systemClock, type Clock, type Timers } from '@anvil/runtime';
import { createStorage, type Storage } from '@anvil/storage';
import type { PhysicsConfig } from './config/physics-config';
import { EngineModule } from './engine/engine.module';
import { loadRapier } from './simulation/rapier';
import { PHYSICS_ROLE, Placement, TakeoverLoop, WorldOwnership, holderOf } from '@anvil/ownership';
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
  const storage = options.storage ?? (await openStorage(config.databaseUrl));
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
  const ownership = storage ? newOwnership(config, storage, () => address) : undefined;
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
  const takeover =
    storage && ownership
      ? newTakeover(config, storage, worlds, ownership.holder, () => address)
      : undefined;
  takeover?.start();
  new Logger('PhysicsEngine').log(
    `serving EngineService on ${config.grpc.host}:${server.port} (${config.tick.mode}, ${config.tick.hz} Hz)`,
  );
  return {
    port: server.port,
    address: server.address,
    worlds,
    close: closeOnce(async () => {
      await takeover?.stop();
      await server.stop(app);
      await ownership?.stop();
      await releaseBus();
      if (ownsStorage) await storage?.close();
    }),
  };
}

/** World leases for this replica (REPLICA_ID, default: the host name and a random suffix). */
function newOwnership(
  config: PhysicsConfig,
  storage: Storage,
  address: () => string,
): WorldOwnership {
  const { leaseTtlMs, renewEveryMs } = config.ownership;
  const logger = new Logger('WorldOwnership');
  return new WorldOwnership({
    leases: storage.leases,
    holder: holderOf(config.ownership),
    address,
    ttlMs: leaseTtlMs,
    renewEveryMs,
    role: PHYSICS_ROLE,
    onRenewError: (error) => logger.warn(`renewing the world leases failed: ${String(error)}`),
  });
}

/** Failover: brings back the worlds of dead replicas, this replica's share of them. */
function newTakeover(
  config: PhysicsConfig,
  storage: Storage,
  worlds: WorldsService,
  replicaId: string,
  address: () => string,
): TakeoverLoop {
  const logger = new Logger('Takeover');
  const { limits, ownership } = config;
  return new TakeoverLoop({
    leases: storage.leases,
    replicas: storage.replicas,
    replicaId,
    address,
    everyMs: ownership.renewEveryMs,
    ttlMs: ownership.leaseTtlMs,
    role: PHYSICS_ROLE,
    capacity: () => ({
      worlds: worlds.size,
      bodies: worlds.totalBodies(),
      maxWorlds: limits.maxWorlds,
      maxBodies: limits.maxBodiesTotal,
    }),
    takeOver: (worldId, spec) => worlds.takeOver(worldId, spec),
    onTaken: (worldId, ms) =>
      logger.log(`world ${worldId}: taken over, about ${ms} ms after its owner's lease ended`),
    onError: (error, worldId) => {
      // Another replica won the race for the world: nothing to report.
      if (error instanceof PreconditionError) return;
      logger.warn(`${worldId ? `world ${worldId}: ` : ''}takeover failed: ${String(error)}`);
    },
  });
}

/** Opens and migrates the engine's own storage; undefined without a URL. */
async function openStorage(url: string | undefined): Promise<Storage | undefined> {
  if (!url) return undefined;
  const storage = await createStorage({ url });
  try {
    await storage.migrate();
  } catch (error) {
    await storage.close();
    throw error;
  }
  return storage;
}
