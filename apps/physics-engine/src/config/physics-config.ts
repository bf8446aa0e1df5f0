import { z } from 'zod';
import { ContractLimits, ENGINE_TOKEN_MIN_LENGTH } from '@anvil/engine-contract';
import {
  ConfigError,
  engineEnv,
  int,
  parseEngineEnv,
  type EngineServerConfig,
  type Env,
} from '@anvil/runtime';

export { ConfigError };

/** The physics engine's one config schema, read from the environment before Nest starts. */
export const physicsConfigSchema = z.object({
  ...engineEnv({
    grpcPort: 50051,
    kafkaClientId: 'anvil-physics-engine',
    engineTokenMinLength: ENGINE_TOKEN_MIN_LENGTH,
    maxMessageBytes: ContractLimits.maxMessageBytes,
  }),
  TICK_HZ: int(1, 1_000).default(30),
  /** `auto`: each world steps on the engine's clock; `manual`: only the Tick RPC steps. */
  TICK_MODE: z.enum(['auto', 'manual']).default('auto'),
  MAX_CATCH_UP_STEPS: int(1, 1_000).default(5),
  MAX_BODIES_PER_WORLD: int(1, 100_000).default(10_000),
  /** Bodies in all worlds together (queued spawns count). */
  MAX_BODIES_TOTAL: int(1, 1_000_000).default(20_000),
  MAX_QUEUED_COMMANDS: int(1, 1_000_000).default(4_096),
  /** Checkpoint every N ticks of a world; 0 disables checkpoints. */
  CHECKPOINT_EVERY_TICKS: int(0, 100_000_000).default(300),
  /** Checkpoints kept per world after each save (older ones are pruned). */
  CHECKPOINT_KEEP: int(1, 10_000).default(5),
  /** Storage for checkpoints (`postgresql://...`, `pglite://memory`, `pglite://<folder>`); none: no checkpoints. */
  DATABASE_URL: z.string().optional(),
  /** This replica's name among the module's replicas (its pod name); default: host name + random suffix. */
  REPLICA_ID: z.string().min(1).max(253).optional(),
  /** host:port other processes reach this replica at (pod DNS); default: the loopback address it binds. */
  ADVERTISE_ADDRESS: z.string().min(1).max(253).optional(),
  /** How long a world's lease lasts unrenewed: a dead replica's worlds wait this long. */
  WORLD_LEASE_TTL_MS: int(100, 600_000).default(1_500),
  /** How often a replica renews all its leases (must be well under the TTL). */
  WORLD_LEASE_RENEW_MS: int(10, 300_000).default(400),
});

/** The validated environment. */
export type PhysicsEnv = z.infer<typeof physicsConfigSchema>;

/** The physics engine's typed configuration (grpc, engineToken, bus: the engines' common part). */
export interface PhysicsConfig extends EngineServerConfig {
  tick: { hz: number; mode: 'auto' | 'manual'; maxCatchUpSteps: number };
  limits: EngineServerConfig['limits'] & {
    maxBodiesPerWorld: number;
    maxBodiesTotal: number;
    maxQueuedCommands: number;
  };
  /** Periodic checkpoints; written only when storage is configured (or injected). */
  checkpoint: { everyTicks: number; keep: number };
  /** Storage URL; undefined: no storage of its own. */
  databaseUrl?: string;
  /** World ownership, used when storage is configured (docs/decisions.md, "World ownership"). */
  ownership: {
    replicaId?: string;
    advertiseAddress?: string;
    leaseTtlMs: number;
    renewEveryMs: number;
  };
}

/** Nest injection token of the PhysicsConfig. */
export const PHYSICS_CONFIG = 'PHYSICS_CONFIG';

/** Validates an environment (default: this process's) into a PhysicsConfig; throws ConfigError. */
export function loadPhysicsConfig(env: Env = process.env): PhysicsConfig {
  const { e, common } = parseEngineEnv('physics-engine', physicsConfigSchema, env);
  if (e.WORLD_LEASE_RENEW_MS * 2 > e.WORLD_LEASE_TTL_MS) {
    throw new ConfigError('physics-engine', [
      `WORLD_LEASE_RENEW_MS (${e.WORLD_LEASE_RENEW_MS}) must be at most half of WORLD_LEASE_TTL_MS (${e.WORLD_LEASE_TTL_MS})`,
    ]);
  }
  return {
    ...common,
    tick: { hz: e.TICK_HZ, mode: e.TICK_MODE, maxCatchUpSteps: e.MAX_CATCH_UP_STEPS },
    limits: {
      ...common.limits,
      maxBodiesPerWorld: e.MAX_BODIES_PER_WORLD,
      maxBodiesTotal: e.MAX_BODIES_TOTAL,
      maxQueuedCommands: e.MAX_QUEUED_COMMANDS,
    },
    checkpoint: { everyTicks: e.CHECKPOINT_EVERY_TICKS, keep: e.CHECKPOINT_KEEP },
    databaseUrl: e.DATABASE_URL?.trim() || undefined,
    ownership: {
      replicaId: e.REPLICA_ID,
      advertiseAddress: e.ADVERTISE_ADDRESS,
      leaseTtlMs: e.WORLD_LEASE_TTL_MS,
      renewEveryMs: e.WORLD_LEASE_RENEW_MS,
    },
  };
}
