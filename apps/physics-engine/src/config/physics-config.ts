import { z } from 'zod';
import { ContractLimits, ENGINE_TOKEN_MIN_LENGTH } from '@anvil/engine-contract';

/** The physics engine's one config schema, read from the environment before Nest starts. */
export const physicsConfigSchema = z
  .object({
    GRPC_HOST: z.string().min(1).default('0.0.0.0'),
    /** 0 picks a free port (tests, embedded mode). */
    GRPC_PORT: z.coerce.number().int().min(0).max(65_535).default(50051),
    /** The shared secret every EngineService call must carry (`authorization: Bearer ...`). */
    ENGINE_TOKEN: z
      .string({ error: 'required: the shared engine token callers must present' })
      .min(ENGINE_TOKEN_MIN_LENGTH, `must be at least ${ENGINE_TOKEN_MIN_LENGTH} characters`),
    GRPC_MAX_MESSAGE_BYTES: z.coerce
      .number()
      .int()
      .min(64 * 1024)
      .max(256 * 1024 * 1024)
      .default(ContractLimits.maxMessageBytes),
    TICK_HZ: z.coerce.number().int().min(1).max(1_000).default(30),
    /** `auto`: each world steps on the engine's clock; `manual`: only the Tick RPC steps. */
    TICK_MODE: z.enum(['auto', 'manual']).default('auto'),
    MAX_CATCH_UP_STEPS: z.coerce.number().int().min(1).max(1_000).default(5),
    MAX_WORLDS: z.coerce.number().int().min(1).max(10_000).default(64),
    /** Worlds one caller (x-anvil-caller) may hold at once. */
    MAX_WORLDS_PER_CALLER: z.coerce.number().int().min(1).max(10_000).default(32),
    MAX_BODIES_PER_WORLD: z.coerce.number().int().min(1).max(100_000).default(10_000),
    /** Bodies in all worlds together (queued spawns count). */
    MAX_BODIES_TOTAL: z.coerce.number().int().min(1).max(1_000_000).default(20_000),
    /** EngineService calls one caller may make per second. */
    MAX_CALLS_PER_SECOND: z.coerce.number().int().min(1).max(1_000_000).default(5_000),
    MAX_QUEUED_COMMANDS: z.coerce.number().int().min(1).max(1_000_000).default(4_096),
    BUS: z.enum(['memory', 'kafka']).default('memory'),
    KAFKA_BROKERS: z.string().optional(),
    KAFKA_CLIENT_ID: z.string().min(1).default('anvil-physics-engine'),
    BUS_TOPIC_PREFIX: z.string().optional(),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
    /** Checkpoint every N ticks of a world; 0 disables checkpoints. */
    CHECKPOINT_EVERY_TICKS: z.coerce.number().int().min(0).max(100_000_000).default(300),
    /** Checkpoints kept per world after each save (older ones are pruned). */
    CHECKPOINT_KEEP: z.coerce.number().int().min(1).max(10_000).default(5),
    /** Storage for checkpoints (`postgresql://...`, `pglite://memory`, `pglite://<folder>`); none: no checkpoints. */
    DATABASE_URL: z.string().optional(),
  })
  .refine((c) => c.BUS !== 'kafka' || Boolean(c.KAFKA_BROKERS?.trim()), {
    message: 'KAFKA_BROKERS is required when BUS=kafka',
    path: ['KAFKA_BROKERS'],
  });

/** The validated environment. */
export type PhysicsEnv = z.infer<typeof physicsConfigSchema>;

/** The physics engine's typed configuration. */
export interface PhysicsConfig {
  grpc: { host: string; port: number; maxMessageBytes: number };
  /** The engine token callers must present. */
  engineToken: string;
  tick: { hz: number; mode: 'auto' | 'manual'; maxCatchUpSteps: number };
  limits: {
    maxWorlds: number;
    maxWorldsPerCaller: number;
    maxBodiesPerWorld: number;
    maxBodiesTotal: number;
    maxQueuedCommands: number;
    maxCallsPerSecond: number;
  };
  bus: {
    kind: 'memory' | 'kafka';
    kafkaBrokers: string[];
    kafkaClientId: string;
    topicPrefix?: string;
  };
  shutdownTimeoutMs: number;
  /** Periodic checkpoints; written only when storage is configured (or injected). */
  checkpoint: { everyTicks: number; keep: number };
  /** Storage URL; undefined: no storage of its own. */
  databaseUrl?: string;
}

/** A config that failed validation; the message lists every bad variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates an environment (default: this process's) into a PhysicsConfig; throws ConfigError. */
export function loadPhysicsConfig(
  env: Record<string, string | undefined> = process.env,
): PhysicsConfig {
  const parsed = physicsConfigSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid physics-engine config: ${issues}`);
  }
  const e = parsed.data;
  return {
    grpc: { host: e.GRPC_HOST, port: e.GRPC_PORT, maxMessageBytes: e.GRPC_MAX_MESSAGE_BYTES },
    engineToken: e.ENGINE_TOKEN,
    tick: { hz: e.TICK_HZ, mode: e.TICK_MODE, maxCatchUpSteps: e.MAX_CATCH_UP_STEPS },
    limits: {
      maxWorlds: e.MAX_WORLDS,
      maxWorldsPerCaller: e.MAX_WORLDS_PER_CALLER,
      maxBodiesPerWorld: e.MAX_BODIES_PER_WORLD,
      maxBodiesTotal: e.MAX_BODIES_TOTAL,
      maxQueuedCommands: e.MAX_QUEUED_COMMANDS,
      maxCallsPerSecond: e.MAX_CALLS_PER_SECOND,
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
    checkpoint: { everyTicks: e.CHECKPOINT_EVERY_TICKS, keep: e.CHECKPOINT_KEEP },
    databaseUrl: e.DATABASE_URL?.trim() || undefined,
  };
}
