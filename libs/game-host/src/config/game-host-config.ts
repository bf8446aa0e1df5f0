import { z } from 'zod';
import { ContractLimits, ENGINE_TOKEN_MIN_LENGTH } from '@anvil/engine-contract';
import { ownershipEnv, toOwnershipConfig, type OwnershipConfig } from '@anvil/ownership';
import {
  engineEnv,
  int,
  moduleVersionEnv,
  type EngineServerConfig,
  type EngineEnvDefaults,
} from '@anvil/runtime';

/** What differs between game modules' hosts: their port, Kafka client id and module name. */
export interface GameHostEnvDefaults {
  grpcPort: number;
  kafkaClientId: string;
  /** MODULE_NAME's default: the app's name. */
  module: string;
}

/** The variables every game module has, to spread into its `z.object` next to its own. */
export function gameHostEnv(defaults: GameHostEnvDefaults) {
  const engine: EngineEnvDefaults = {
    grpcPort: defaults.grpcPort,
    kafkaClientId: defaults.kafkaClientId,
    engineTokenMinLength: ENGINE_TOKEN_MIN_LENGTH,
    maxMessageBytes: ContractLimits.maxMessageBytes,
  };
  return {
    ...engineEnv(engine),
    /** This engine's module name: Init bindings whose consumer it is are this engine's. */
    MODULE_NAME: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/, 'expected a module name (DNS-1123)')
      .default(defaults.module),
    /** host:port of the physics engine for worlds whose Init names no physics binding. */
    PHYSICS_ENGINE_ADDRESS: z
      .string()
      .regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port')
      .default('127.0.0.1:50051'),
    PHYSICS_DEADLINE_MS: int(10, 60_000).default(2_000),
    /** Commands of one world waiting for the ones before them; more is RESOURCE_EXHAUSTED. */
    MAX_QUEUED_COMMANDS_PER_WORLD: int(1, 100_000).default(1_024),
    /**
     * Storage for world leases and each world's rules state (`postgresql://...`): with it, the
     * module's replicas own worlds by lease and take over a dead replica's worlds; none: each
     * replica keeps its worlds in memory only.
     */
    DATABASE_URL: z.string().optional(),
    /**
     * This module's version (its ModuleManifest's): the replicas of one version share the
     * worlds' leases, a newer version's are another group.
     */
    MODULE_VERSION: moduleVersionEnv,
    ...ownershipEnv,
  };
}

type GameHostEnv = z.output<z.ZodObject<ReturnType<typeof gameHostEnv>>>;

/** A game module's typed configuration (grpc, engineToken, bus: the engines' common part). */
export interface GameHostConfig extends EngineServerConfig {
  /** The module this engine is (ModuleManifest spec.module). */
  module: string;
  physics: { address: string; deadlineMs: number };
  limits: EngineServerConfig['limits'] & { maxQueuedCommandsPerWorld: number };
  /** Storage URL; undefined: no ownership, worlds in memory only. */
  databaseUrl?: string;
  /** MODULE_VERSION, part of the lease role. */
  version?: string;
  ownership: OwnershipConfig;
}

/** The validated variables of `gameHostEnv` with the engines' common config as a GameHostConfig. */
export function toGameHostConfig(e: GameHostEnv, common: EngineServerConfig): GameHostConfig {
  return {
    databaseUrl: e.DATABASE_URL?.trim() || undefined,
    version: e.MODULE_VERSION,
    ownership: toOwnershipConfig(e.MODULE_NAME, e),
    ...common,
    module: e.MODULE_NAME,
    physics: { address: e.PHYSICS_ENGINE_ADDRESS, deadlineMs: e.PHYSICS_DEADLINE_MS },
    limits: { ...common.limits, maxQueuedCommandsPerWorld: e.MAX_QUEUED_COMMANDS_PER_WORLD },
  };
}
