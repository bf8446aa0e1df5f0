import { hostname } from 'node:os';
import {
  busIssues,
  list,
  parseEnv,
  toBusConfig,
  withoutBlanks,
  type BusConfig,
  type Env,
  type LogLevel,
} from '@anvil/runtime';
import { gatewayEnvSchema, type GatewayEnv } from './gateway-config.schema';

export { ConfigError } from '@anvil/runtime';

/** How tokens are verified: an HS256 shared secret or an RS256 public key (PEM). */
export type JwtKey =
  { algorithm: 'HS256'; secret: string } | { algorithm: 'RS256'; publicKey: string };

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
  engine: {
    interactionAddress: string;
    deadlineMs: number;
    token: string;
    /** How often routed worlds' records are read again (their game module may have changed). */
    routeRefreshMs: number;
    /** How long a call waits for its world to be found again after its replica failed. */
    relocateDeadlineMs: number;
  };
  bus: BusConfig;
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
  logLevel: LogLevel;
  shutdownTimeoutMs: number;
}

/** Validates an environment (default: this process's) into a GatewayConfig; throws ConfigError. */
export function loadGatewayConfig(env: Env = process.env): GatewayConfig {
  // Only the gateway's variables, and an empty variable counts as unset.
  const known = Object.keys(gatewayEnvSchema.shape);
  const input = withoutBlanks(Object.fromEntries(known.map((key) => [key, env[key]])));
  return toConfig(parseEnv('gateway', gatewayEnvSchema, input, crossChecks));
}

/** The rules that span variables, checked on the raw input so every problem is reported at once. */
function crossChecks(e: Env): string[] {
  const issues: string[] = [];
  if (Boolean(e.JWT_SECRET) === Boolean(e.JWT_PUBLIC_KEY)) {
    issues.push('JWT_SECRET / JWT_PUBLIC_KEY: set exactly one');
  }
  if (!e.ENGINE_TOKEN) issues.push('ENGINE_TOKEN: required (the engines refuse calls without it)');
  issues.push(...busIssues(e));
  const { MAX_EVENT_BYTES: event, MAX_MESSAGE_BYTES: message } = gatewayEnvSchema.shape;
  const eventBytes = event.safeParse(e.MAX_EVENT_BYTES);
  const messageBytes = message.safeParse(e.MAX_MESSAGE_BYTES);
  if (eventBytes.success && messageBytes.success && eventBytes.data > messageBytes.data) {
    issues.push('MAX_EVENT_BYTES: must not exceed MAX_MESSAGE_BYTES');
  }
  return issues;
}

function toConfig(e: GatewayEnv): GatewayConfig {
  const key: JwtKey = e.JWT_SECRET
    ? { algorithm: 'HS256', secret: e.JWT_SECRET }
    : { algorithm: 'RS256', publicKey: e.JWT_PUBLIC_KEY as string };
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
    engine: {
      interactionAddress: e.INTERACTION_ENGINE_ADDRESS,
      deadlineMs: e.ENGINE_DEADLINE_MS,
      token: e.ENGINE_TOKEN as string,
      routeRefreshMs: e.ROUTE_REFRESH_MS,
      relocateDeadlineMs: e.ENGINE_RELOCATE_DEADLINE_MS,
    },
    bus: toBusConfig(e),
    storage: { url: e.DATABASE_URL, migrate: e.DATABASE_MIGRATE },
    worlds: {
      readyPhases: list(e.WORLD_READY_PHASES),
      maxPerConnection: e.MAX_WORLDS_PER_CONNECTION,
    },
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
