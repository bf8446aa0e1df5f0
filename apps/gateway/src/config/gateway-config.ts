import { hostname } from 'node:os';
import Ajv from 'ajv';
import { gatewayEnvSchema, type GatewayEnv } from './gateway-config.schema';

/** How tokens are verified: an HS256 shared secret or an RS256 public key (PEM). */
export type JwtKey = { algorithm: 'HS256'; secret: string } | { algorithm: 'RS256'; publicKey: string };

/** The gateway's typed configuration. */
export interface GatewayConfig {
  http: { host: string; port: number; corsOrigins: string[] };
  /** This instance's name (sessions, consumer group). */
  instanceId: string;
  jwt: {
    key: JwtKey;
    issuer?: string;
    audience?: string;
    /** Seconds nbf/iat may lie in the future; never applied to exp. */
    clockToleranceS: number;
    /** Longest lifetime a token may have (exp required). */
    maxLifetimeS: number;
    /** Longest token, bytes. */
    maxTokenBytes: number;
  };
  engine: { interactionAddress: string; deadlineMs: number; token: string };
  bus: { kind: 'memory' | 'kafka'; kafkaBrokers: string[]; kafkaClientId: string; topicPrefix?: string };
  storage: { url: string; migrate: boolean };
  worlds: { readyPhases: string[]; maxPerConnection: number };
  limits: {
    ratePerSecond: number;
    rateBurst: number;
    disconnectAfterRefusals: number;
    maxMessageBytes: number;
    maxEventBytes: number;
  };
  sessions: { recoveryWindowMs: number; disconnectGraceMs: number };
  fanout: { slowClientPackets: number; maxPendingBodies: number };
  logLevel: GatewayEnv['LOG_LEVEL'];
  shutdownTimeoutMs: number;
}

/** A config that failed validation; the message lists every bad variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const ajv = new Ajv({ coerceTypes: true, useDefaults: true, allErrors: true });
const validateEnv = ajv.compile(gatewayEnvSchema);
const list = (text: string | undefined) => (text ?? '').split(',').map((s) => s.trim()).filter(Boolean);

/** Validates an environment (default: this process's) into a GatewayConfig; throws ConfigError. */
export function loadGatewayConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  const known = Object.keys(gatewayEnvSchema.properties);
  // Only the gateway's variables, and an empty variable counts as unset.
  const input: Record<string, unknown> = {};
  for (const key of known) if (env[key] !== undefined && env[key] !== '') input[key] = env[key];
  const issues: string[] = [];
  if (!validateEnv(input)) {
    for (const e of validateEnv.errors ?? []) issues.push(`${e.instancePath.slice(1) || 'env'}: ${e.message}`);
  }
  const e = input as unknown as GatewayEnv;
  if (Boolean(e.JWT_SECRET) === Boolean(e.JWT_PUBLIC_KEY)) issues.push('JWT_SECRET / JWT_PUBLIC_KEY: set exactly one');
  if (!e.ENGINE_TOKEN) issues.push('ENGINE_TOKEN: required (the engines refuse calls without it)');
  if (e.BUS === 'kafka' && list(e.KAFKA_BROKERS).length === 0) issues.push('KAFKA_BROKERS: required when BUS=kafka');
  if (e.MAX_EVENT_BYTES > e.MAX_MESSAGE_BYTES) issues.push('MAX_EVENT_BYTES: must not exceed MAX_MESSAGE_BYTES');
  if (issues.length) throw new ConfigError(`invalid gateway config: ${issues.join('; ')}`);
  return toConfig(e);
}

function toConfig(e: GatewayEnv): GatewayConfig {
  const key: JwtKey = e.JWT_SECRET ? { algorithm: 'HS256', secret: e.JWT_SECRET } : { algorithm: 'RS256', publicKey: e.JWT_PUBLIC_KEY as string };
  return {
    http: { host: e.HOST, port: e.PORT, corsOrigins: list(e.CORS_ORIGINS) },
    instanceId: e.GATEWAY_ID ?? `${hostname().replace(/[^A-Za-z0-9_.-]/g, '-')}-${process.pid}`,
    jwt: {
      key,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      clockToleranceS: e.JWT_CLOCK_TOLERANCE_S,
      maxLifetimeS: e.JWT_MAX_LIFETIME_SECONDS,
      maxTokenBytes: e.JWT_MAX_TOKEN_BYTES,
    },
    engine: { interactionAddress: e.INTERACTION_ENGINE_ADDRESS, deadlineMs: e.ENGINE_DEADLINE_MS, token: e.ENGINE_TOKEN as string },
    bus: { kind: e.BUS, kafkaBrokers: list(e.KAFKA_BROKERS), kafkaClientId: e.KAFKA_CLIENT_ID, topicPrefix: e.BUS_TOPIC_PREFIX },
    storage: { url: e.DATABASE_URL, migrate: e.DATABASE_MIGRATE },
    worlds: { readyPhases: list(e.WORLD_READY_PHASES), maxPerConnection: e.MAX_WORLDS_PER_CONNECTION },
    limits: {
      ratePerSecond: e.RATE_LIMIT_PER_SECOND,
      rateBurst: e.RATE_LIMIT_BURST,
      disconnectAfterRefusals: e.RATE_LIMIT_DISCONNECT_AFTER,
      maxMessageBytes: e.MAX_MESSAGE_BYTES,
      maxEventBytes: e.MAX_EVENT_BYTES,
    },
    sessions: { recoveryWindowMs: e.RECOVERY_WINDOW_MS, disconnectGraceMs: e.DISCONNECT_GRACE_MS },
    fanout: { slowClientPackets: e.SLOW_CLIENT_PACKETS, maxPendingBodies: e.MAX_PENDING_BODIES },
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
  };
}
