// The part of the two engines' configs that is the same: gRPC server, engine token, world and
// call limits, bus, shutdown. Each engine adds its own variables (docs/engine-contract.md).
import { z } from 'zod';
import type { BusConfig } from '../bus/create-bus';
import { int, parseEnv, type Env } from './env';
import { busEnv, busIssues, shutdownEnv, toBusConfig } from './shared-env';

/**
 * MODULE_VERSION: the engine's version, its ModuleManifest's (a game module's replicas of one
 * version share its worlds' leases; the physics engine reports it).
 */
export const moduleVersionEnv = z
  .string()
  .regex(/^[0-9A-Za-z.+-]{1,64}$/, 'expected a SemVer version')
  .optional();

/** What differs between the engines, and the contract's constants (passed in, so that this
 * library does not load the gRPC contract). */
export interface EngineEnvDefaults {
  grpcPort: number;
  kafkaClientId: string;
  /** `ENGINE_TOKEN_MIN_LENGTH` of @anvil/engine-contract. */
  engineTokenMinLength: number;
  /** `ContractLimits.maxMessageBytes` of @anvil/engine-contract. */
  maxMessageBytes: number;
}

/** The engines' common variables, to spread into each engine's `z.object`. */
export function engineEnv(defaults: EngineEnvDefaults) {
  const tokenMin = defaults.engineTokenMinLength;
  return {
    GRPC_HOST: z.string().min(1).default('0.0.0.0'),
    /** 0 picks a free port (tests, embedded mode). */
    GRPC_PORT: int(0, 65_535).default(defaults.grpcPort),
    /** The shared secret every EngineService call must carry (`authorization: Bearer ...`). */
    ENGINE_TOKEN: z
      .string({ error: 'required: the shared engine token callers must present' })
      .min(tokenMin, `must be at least ${tokenMin} characters`),
    GRPC_MAX_MESSAGE_BYTES: int(64 * 1024, 256 * 1024 * 1024).default(defaults.maxMessageBytes),
    METRICS_HOST: z.string().min(1).default('0.0.0.0'),
    /** Prometheus `/metrics` on this port; unset: not served (0 picks a free port). */
    METRICS_PORT: int(0, 65_535).optional(),
    MAX_WORLDS: int(1, 10_000).default(64),
    /** Worlds one caller (x-anvil-caller) may hold at once. */
    MAX_WORLDS_PER_CALLER: int(1, 10_000).default(32),
    /** EngineService calls one caller may make per second (the gateway relays every player). */
    MAX_CALLS_PER_SECOND: int(1, 1_000_000).default(5_000),
    ...busEnv(defaults.kafkaClientId),
    ...shutdownEnv,
  };
}

type EngineEnv = z.output<z.ZodObject<ReturnType<typeof engineEnv>>>;

/** The limits every engine has. */
export interface EngineLimits {
  maxWorlds: number;
  /** Worlds one caller may hold at once. */
  maxWorldsPerCaller: number;
  /** EngineService calls one caller may make per second. */
  maxCallsPerSecond: number;
}

/** The typed part every engine config has. */
export interface EngineServerConfig {
  grpc: { host: string; port: number; maxMessageBytes: number };
  /** Where `/metrics` is served; undefined: it is not. */
  metrics?: { host: string; port: number };
  /** The engine token callers must present. */
  engineToken: string;
  limits: EngineLimits;
  bus: BusConfig;
  shutdownTimeoutMs: number;
}

/** The validated common variables as the engines' common config. */
export function toEngineServerConfig(e: EngineEnv): EngineServerConfig {
  return {
    grpc: { host: e.GRPC_HOST, port: e.GRPC_PORT, maxMessageBytes: e.GRPC_MAX_MESSAGE_BYTES },
    ...(e.METRICS_PORT === undefined
      ? {}
      : { metrics: { host: e.METRICS_HOST, port: e.METRICS_PORT } }),
    engineToken: e.ENGINE_TOKEN,
    limits: {
      maxWorlds: e.MAX_WORLDS,
      maxWorldsPerCaller: e.MAX_WORLDS_PER_CALLER,
      maxCallsPerSecond: e.MAX_CALLS_PER_SECOND,
    },
    bus: toBusConfig(e),
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
  };
}

/**
 * Validates an engine's environment (`schema` spreads `engineEnv`); throws one ConfigError.
 * Gives the validated variables and the common config built from them.
 */
export function parseEngineEnv<S extends z.ZodType<EngineEnv>>(
  app: string,
  schema: S,
  env: Env,
): { e: z.output<S>; common: EngineServerConfig } {
  const e = parseEnv(app, schema, env, busIssues);
  return { e, common: toEngineServerConfig(e) };
}
