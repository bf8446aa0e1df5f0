import { z } from 'zod';
import { ContractLimits, ENGINE_TOKEN_MIN_LENGTH } from '@anvil/engine-contract';
import {
  ConfigError,
  engineEnv,
  int,
  moduleVersionEnv,
  parseEngineEnv,
  type EngineServerConfig,
  type Env,
} from '@anvil/runtime';
import { ownershipEnv, toOwnershipConfig, type OwnershipConfig } from '@anvil/ownership';

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
  /** This build's version (its ModuleManifest's), reported when it starts and in Init answers. */
  MODULE_VERSION: moduleVersionEnv,
  /** Rebalance: hand a world over while another replica has at least two worlds fewer. */
  WORLD_REBALANCE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  ...ownershipEnv,
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
  ownership: OwnershipConfig;
  /** MODULE_VERSION; undefined when not set. */
  version?: string;
  /** WORLD_REBALANCE: shed worlds to less loaded replicas (docs/decisions.md, "Moving a world"). */
  rebalance: boolean;
}

/** Nest injection token of the PhysicsConfig. */
export const PHYSICS_CONFIG = 'PHYSICS_CONFIG';

/** Validates an environment (default: this process's) into a PhysicsConfig; throws ConfigError. */
export function loadPhysicsConfig(env: Env = process.env): PhysicsConfig {
  const { e, common } = parseEngineEnv('physics-engine', physicsConfigSchema, env);
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
    ownership: toOwnershipConfig('physics-engine', e),
    version: e.MODULE_VERSION,
    rebalance: e.WORLD_REBALANCE,
  };
}
