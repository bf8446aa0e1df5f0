import 'reflect-metadata';
import { Logger, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { EventBus } from '@anvil/bus';
import {
  CommandStreamClient,
  EngineClient,
  WorldOwnedElsewhereError,
} from '@anvil/engine-contract';
import { engineServer } from '@anvil/engine-contract/nest';
import { Placement, gameRole, replicaLeases, replicaTakeover, warmReplica } from '@anvil/ownership';
import { MetricsServer, closeOnce, holdBus, systemClock, type Clock } from '@anvil/runtime';
import { openMigratedStorage, type Storage } from '@anvil/storage';
import type { GameHostConfig } from './config/game-host-config';
import { GameHostModule } from './engine/engine.module';
import { InteractionEvents } from './events/interaction-events';
import { GameOwnership } from './ownership/game-ownership';
import { PhysicsClients } from './physics/physics-clients';
import type { GameRulesFactory } from './rules/game-rules';
import { GameWorldsService } from './worlds/game-worlds.service';

/** What makes a game module this game: its rules and how it names itself. */
export interface GameDefinition {
  /** Rules for the worlds of this engine (its config already applied). */
  rules: GameRulesFactory;
  /** CloudEvents `source` of its events, e.g. `/anvil/tag-game`. */
  source: string;
  /** How it names itself in logs and refusals, e.g. "the tag game". */
  label: string;
}

/** What `startGameHost` needs; `bus` is shared with other apps in embedded mode. */
export interface GameHostOptions {
  config: GameHostConfig;
  game: GameDefinition;
  /** The bus for game events; default: created from config.bus (and closed on close). */
  bus?: EventBus;
  /**
   * Storage for world leases and rules state, already migrated (the embedded host shares one);
   * default: opened from config.databaseUrl and migrated (and closed on close), or none.
   */
  storage?: Storage;
  /** Time for cooldowns and rate limits (tests); default: the monotonic system clock. */
  clock?: Clock;
  /** Nest logger setting; false silences Nest (tests). */
  logger?: false | Array<'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal'>;
}

/** A running game module. */
export interface RunningGameHost {
  /** The gRPC port actually bound (useful when config.grpc.port is 0). */
  port: number;
  /** host:port for clients on this machine. */
  address: string;
  worlds: GameWorldsService;
  /** Stops serving: health NOT_SERVING, gRPC server drained, physics clients closed, owned bus closed. */
  close(): Promise<void>;
}

/** Starts a game module's gRPC server (EngineService + grpc.health.v1) with the game's rules. */
export async function startGameHost(options: GameHostOptions): Promise<RunningGameHost> {
  const { config, game } = options;
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
      new Logger('GameEvents').error(
        `world ${worldId}: publishing ${type} failed: ${String(error)}`,
      ),
    { source: game.source, topicPrefix: config.bus.topicPrefix },
  );
  const clock = options.clock ?? systemClock;
  const ownsStorage = !options.storage && Boolean(config.databaseUrl);
  const storage =
    options.storage ??
    (config.databaseUrl ? await openMigratedStorage(config.databaseUrl) : undefined);
  if (storage) await warmReplica(storage, bus, new Logger('WorldOwnership'));
  let address = '';
  const leases = storage
    ? replicaLeases({
        leases: storage.leases,
        config: config.ownership,
        role: gameRole(config.module, config.version),
        address: () => address,
        log: new Logger('WorldOwnership'),
      })
    : undefined;
  const server = await engineServer({
    ...config,
    maxCallsPerSecond: config.limits.maxCallsPerSecond,
    clock,
    logger: options.logger,
  });
  const app: INestMicroservice = await NestFactory.createMicroservice(
    GameHostModule.forRoot({
      rules: game.rules,
      label: game.label,
      physics,
      events,
      config,
      clock,
      ownership: leases && new GameOwnership(leases, storage!.gameStates, leases.role),
      placement: leases && new Placement(storage!.replicas, leases.role),
    }),
    server.options,
  );
  const worlds = app.get(GameWorldsService);
  leases?.onLost((worldId, reason) => void worlds.lose(worldId, reason));
  await server.serve(app);
  address = config.ownership.advertiseAddress ?? server.address;
  const takeover =
    storage &&
    leases &&
    replicaTakeover({
      leases: storage.leases,
      replicas: storage.replicas,
      ownership: leases,
      config: config.ownership,
      address: () => address,
      capacity: () => ({
        worlds: worlds.size,
        bodies: worlds.totalPlayers(),
        maxWorlds: config.limits.maxWorlds,
        maxBodies: MAX_REPORTED_PLAYERS,
      }),
      takeOver: (worldId, spec) => worlds.takeOver(worldId, spec),
      // Another replica won the race for the world.
      lostRace: (error) => error instanceof WorldOwnedElsewhereError,
      log: new Logger('Takeover'),
    });
  takeover?.start();
  const metrics = config.metrics && new MetricsServer(worlds.metrics.registry);
  const metricsPort = metrics && (await metrics.listen(config.metrics!.host, config.metrics!.port));
  new Logger('GameHost').log(
    `serving EngineService on ${config.grpc.host}:${server.port} as module ${config.module} (${game.label}); physics at the world's binding, else ${config.physics.address}${metricsPort ? `; metrics on ${config.metrics!.host}:${metricsPort}/metrics` : ''}`,
  );
  return {
    port: server.port,
    address: server.address,
    worlds,
    close: closeOnce(async () => {
      await takeover?.stop();
      await server.stop(app);
      await worlds.leaveAll();
      await leases?.stop();
      await events.flush();
      physics.close();
      await releaseBus();
      if (ownsStorage) await storage?.close();
      await metrics?.close();
    }),
  };
}

/** Players are not a game module's limit (its worlds are): the most a replica reports. */
const MAX_REPORTED_PLAYERS = 1_000_000;
