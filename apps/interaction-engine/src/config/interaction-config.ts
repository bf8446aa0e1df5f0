import { z } from 'zod';
import { ContractLimits, ENGINE_TOKEN_MIN_LENGTH } from '@anvil/engine-contract';
import { engineEnv, int, parseEngineEnv, type EngineServerConfig, type Env } from '@anvil/runtime';

export { ConfigError } from '@anvil/runtime';

/** The interaction engine's one config schema, read from the environment before Nest starts. */
export const interactionConfigSchema = z.object({
  ...engineEnv({
    grpcPort: 50052,
    kafkaClientId: 'anvil-interaction-engine',
    engineTokenMinLength: ENGINE_TOKEN_MIN_LENGTH,
    maxMessageBytes: ContractLimits.maxMessageBytes,
  }),
  /** This engine's module name: Init bindings whose consumer it is are this engine's. */
  MODULE_NAME: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/, 'expected a module name (DNS-1123)')
    .default('interaction-engine'),
  /** host:port of the physics engine for worlds whose Init names no physics binding. */
  PHYSICS_ENGINE_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port')
    .default('127.0.0.1:50051'),
  PHYSICS_DEADLINE_MS: int(10, 60_000).default(2_000),
  /** Commands of one world waiting for the ones before them; more is RESOURCE_EXHAUSTED. */
  MAX_QUEUED_COMMANDS_PER_WORLD: int(1, 100_000).default(1_024),
  MAX_PLAYERS_PER_WORLD: int(1, 10_000).default(64),
  /** Cap of a Move's speed, mm/s. */
  MAX_PLAYER_SPEED_MM_S: int(1, 100_000).default(8_000),
  /** Upward speed a Jump gives, mm/s. */
  JUMP_SPEED_MM_S: int(1, 100_000).default(6_000),
  JUMP_COOLDOWN_MS: int(0, 60_000).default(500),
  PLAYER_RADIUS_MM: int(5, 50_000).default(300),
  /** Commands one player may send per second; more is RESOURCE_EXHAUSTED. */
  MAX_COMMANDS_PER_SECOND: int(1, 100_000).default(60),
});

/** Game rules every world of this engine follows. */
export interface RulesConfig {
  maxPlayersPerWorld: number;
  maxPlayerSpeedMmS: number;
  jumpSpeedMmS: number;
  jumpCooldownMs: number;
  playerRadiusMm: number;
  maxCommandsPerSecond: number;
}

/** The interaction engine's typed configuration (grpc, engineToken, bus: the engines' common part). */
export interface InteractionConfig extends EngineServerConfig {
  /** The module this engine is (ModuleManifest spec.module). */
  module: string;
  physics: { address: string; deadlineMs: number };
  limits: EngineServerConfig['limits'] & { maxQueuedCommandsPerWorld: number };
  rules: RulesConfig;
}

/** Validates an environment (default: this process's) into an InteractionConfig; throws ConfigError. */
export function loadInteractionConfig(env: Env = process.env): InteractionConfig {
  const { e, common } = parseEngineEnv('interaction-engine', interactionConfigSchema, env);
  return {
    ...common,
    module: e.MODULE_NAME,
    physics: { address: e.PHYSICS_ENGINE_ADDRESS, deadlineMs: e.PHYSICS_DEADLINE_MS },
    limits: { ...common.limits, maxQueuedCommandsPerWorld: e.MAX_QUEUED_COMMANDS_PER_WORLD },
    rules: {
      maxPlayersPerWorld: e.MAX_PLAYERS_PER_WORLD,
      maxPlayerSpeedMmS: e.MAX_PLAYER_SPEED_MM_S,
      jumpSpeedMmS: e.JUMP_SPEED_MM_S,
      jumpCooldownMs: e.JUMP_COOLDOWN_MS,
      playerRadiusMm: e.PLAYER_RADIUS_MM,
      maxCommandsPerSecond: e.MAX_COMMANDS_PER_SECOND,
    },
  };
}
