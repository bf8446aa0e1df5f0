import { z } from 'zod';
import { busEnv, int, logLevelEnv, shutdownEnv } from '@anvil/runtime';

/**
 * The gateway's one config schema (zod, numbers and booleans coerced, defaults filled in) over
 * the environment. `loadGatewayConfig` validates it before Nest starts.
 */
const text = (min: number) => z.string().min(min, `must NOT have fewer than ${min} characters`);
const pattern = (re: RegExp) => z.string().regex(re, `must match pattern "${re.source}"`);
const bool = z.enum(['true', 'false'], { error: 'must be boolean' }).transform((v) => v === 'true');
const address = pattern(/^[^\s:]+:\d{1,5}$/);

/** The environment variables the gateway reads. */
export const gatewayEnvSchema = z.object({
  HOST: text(1).default('0.0.0.0'),
  /** HTTP + socket.io port; 0 picks a free one (tests, embedded mode). */
  PORT: int(0, 65_535).default(3000),
  /** This instance's name: session rows, its bus consumer group. Default: host name and pid. */
  GATEWAY_ID: pattern(/^[A-Za-z0-9_.-]{1,100}$/).optional(),
  JWT_SECRET: text(16).optional(),
  JWT_PUBLIC_KEY: pattern(/-----BEGIN PUBLIC KEY-----/).optional(),
  JWT_ISSUER: text(1).optional(),
  JWT_AUDIENCE: text(1).optional(),
  /** Seconds a token's nbf/iat may lie in the future (issuer's clock ahead); never extends exp. */
  JWT_CLOCK_TOLERANCE_S: int(0, 300).default(5),
  /** Longest token lifetime accepted (exp minus iat, and exp minus now); exp is required. */
  JWT_MAX_LIFETIME_SECONDS: int(60, 30 * 24 * 3600).default(24 * 3600),
  /** Longest token accepted, in bytes (AUTH_TOKEN_TOO_LARGE above, if its handshake fits in MAX_MESSAGE_BYTES). */
  JWT_MAX_TOKEN_BYTES: int(256, 1024 * 1024).default(8 * 1024),
  INTERACTION_ENGINE_ADDRESS: address.default('127.0.0.1:50052'),
  ENGINE_DEADLINE_MS: int(10, 60_000).default(2_000),
  /** How often the routes of joined worlds are read again from the registry (a new game module). */
  ROUTE_REFRESH_MS: int(100, 600_000).default(2_000),
  /**
   * How long a call waits for its world to be found again after the replica that ran it died or
   * lost it (the lease's time plus a takeover round, with room to spare).
   */
  ENGINE_RELOCATE_DEADLINE_MS: int(0, 120_000).default(10_000),
  /** The engines' shared token, sent with every engine call (`authorization: Bearer ...`). */
  ENGINE_TOKEN: text(16).optional(),
  ...busEnv('anvil-gateway'),
  DATABASE_URL: text(1).default('pglite://memory'),
  /** Apply pending SQL migrations at start (off when a release job migrates). */
  DATABASE_MIGRATE: bool.default(true),
  /** Comma-separated world phases that may be joined. */
  WORLD_READY_PHASES: text(1).default('Ready'),
  MAX_WORLDS_PER_CONNECTION: int(1, 64).default(4),
  /** Token bucket per connection: sustained messages per second, and burst. */
  RATE_LIMIT_PER_SECOND: int(1, 100_000).default(20),
  RATE_LIMIT_BURST: int(1, 100_000).default(40),
  /** Consecutive refused (rate-limited) messages after which the connection is closed; 0 never. */
  RATE_LIMIT_DISCONNECT_AFTER: int(0, 1_000_000).default(200),
  /**
   * Largest transport message (engine.io maxHttpBufferSize; a polling request body): larger
   * closes the connection without an answer, as nothing of it is decoded. It must hold a
   * handshake with an oversized token for that to be answered AUTH_TOKEN_TOO_LARGE.
   */
  MAX_MESSAGE_BYTES: int(1_024, 16 * 1024 * 1024).default(1024 * 1024),
  /** Largest payload of one event, answered with PAYLOAD_TOO_LARGE. */
  MAX_EVENT_BYTES: int(64, 16 * 1024 * 1024).default(4 * 1024),
  /** How long a dropped connection can be recovered with its missed deltas; 0 disables. */
  RECOVERY_WINDOW_MS: int(0, 3_600_000).default(120_000),
  /** How long a disconnected player's body stays in the world before the gateway makes it leave. */
  DISCONNECT_GRACE_MS: int(0, 3_600_000).default(30_000),
  /** Packets waiting in a socket's write buffer that make it "slow" (coalesced deltas). */
  SLOW_CLIENT_PACKETS: int(1, 100_000).default(8),
  /** Bodies a slow socket's coalesced delta may hold before it is resynchronised by snapshot. */
  MAX_PENDING_BODIES: int(1, 1_000_000).default(10_000),
  /** Comma-separated CORS origins for browsers; empty: same origin only. */
  CORS_ORIGINS: z.string().optional(),
  ...logLevelEnv,
  ...shutdownEnv,
});

/** The environment after validation (defaults filled in, numbers and booleans coerced). */
export type GatewayEnv = z.output<typeof gatewayEnvSchema>;
