import { z } from 'zod';
import { ContractLimits, ENGINE_TOKEN_MIN_LENGTH } from '@anvil/engine-contract';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** The interaction engine's one config schema, read from the environment before Nest starts. */
export const interactionConfigSchema = z
  .object({
    GRPC_HOST: z.string().min(1).default('0.0.0.0'),
    /** 0 picks a free port (tests, embedded mode). */
    GRPC_PORT: int(0, 65_535).default(50052),
    /**
     * The shared secret every EngineService call must carry (`authorization: Bearer ...`); this
     * engine also presents it to its physics engines.
     */
    ENGINE_TOKEN: z
      .string({ error: 'required: the shared engine token callers must present' })
      .min(ENGINE_TOKEN_MIN_LENGTH, `must be at least ${ENGINE_TOKEN_MIN_LENGTH} characters`),
    GRPC_MAX_MESSAGE_BYTES: int(64 * 1024, 256 * 1024 * 1024).default(
      ContractLimits.maxMessageBytes,
    ),
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
    MAX_WORLDS: int(1, 10_000).default(64),
    /** Worlds one caller (x-anvil-caller) may hold at once. */
    MAX_WORLDS_PER_CALLER: int(1, 10_000).default(32),
    /** EngineService calls one caller may make per second (the gateway relays every player). */
    MAX_CALLS_PER_SECOND: int(1, 1_000_000).default(5_000),
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
    BUS: z.enum(['memory', 'kafka']).default('memory'),
    KAFKA_BROKERS: z.string().optional(),
    KAFKA_CLIENT_ID: z.string().min(1).default('anvil-interaction-engine'),
    BUS_TOPIC_PREFIX: z.string().optional(),
    SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(10_000),
  })
  .refine((c) => c.BUS !== 'kafka' || Boolean(c.KAFKA_BROKERS?.trim()), {
    message: 'KAFKA_BROKERS is required when BUS=kafka',
    path: ['KAFKA_BROKERS'],
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

/** The interaction engine's typed configuration. */
export interface InteractionConfig {
  /** The module this engine is (ModuleManifest spec.module). */
  module: string;
  grpc: { host: string; port: number; maxMessageBytes: number };
  /** The engine token: checked on every call, presented to the physics engines. */
  engineToken: string;
  physics: { address: string; deadlineMs: number };
  limits: {
    maxWorlds: number;
    maxWorldsPerCaller: number;
    maxCallsPerSecond: number;
    maxQueuedCommandsPerWorld: number;
  };
  rules: RulesConfig;
  bus: {
    kind: 'memory' | 'kafka';
    kafkaBrokers: string[];
    kafkaClientId: string;
    topicPrefix?: string;
  };
  shutdownTimeoutMs: number;
}

/** A config that failed validation; the message lists every bad variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates an environment (default: this process's) into an InteractionConfig; throws ConfigError. */
export function loadInteractionConfig(
  env: Record<string, string | undefined> = process.env,
): InteractionConfig {
  const parsed = interactionConfigSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid interaction-engine config: ${issues}`);
  }
  const e = parsed.data;
  return {
    module: e.MODULE_NAME,
    grpc: { host: e.GRPC_HOST, port: e.GRPC_PORT, maxMessageBytes: e.GRPC_MAX_MESSAGE_BYTES },
    engineToken: e.ENGINE_TOKEN,
    physics: { address: e.PHYSICS_ENGINE_ADDRESS, deadlineMs: e.PHYSICS_DEADLINE_MS },
    limits: {
      maxWorlds: e.MAX_WORLDS,
      maxWorldsPerCaller: e.MAX_WORLDS_PER_CALLER,
      maxCallsPerSecond: e.MAX_CALLS_PER_SECOND,
      maxQueuedCommandsPerWorld: e.MAX_QUEUED_COMMANDS_PER_WORLD,
    },
    rules: {
      maxPlayersPerWorld: e.MAX_PLAYERS_PER_WORLD,
      maxPlayerSpeedMmS: e.MAX_PLAYER_SPEED_MM_S,
      jumpSpeedMmS: e.JUMP_SPEED_MM_S,
      jumpCooldownMs: e.JUMP_COOLDOWN_MS,
      playerRadiusMm: e.PLAYER_RADIUS_MM,
      maxCommandsPerSecond: e.MAX_COMMANDS_PER_SECOND,
    },
    bus: {
      kind: e.BUS,
      kafkaBrokers: (e.KAFKA_BROKERS ?? '')
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
      kafkaClientId: e.KAFKA_CLIENT_ID,
      topicPrefix: e.BUS_TOPIC_PREFIX || undefined,
    },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
  };
}
