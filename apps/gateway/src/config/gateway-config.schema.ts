/**
 * The gateway's one config schema (JSON Schema, checked by ajv with type coercion and defaults)
 * over the environment. `loadGatewayConfig` validates it before Nest starts.
 */
const int = (minimum: number, maximum: number, def: number) => ({ type: 'integer', minimum, maximum, default: def }) as const;
const address = { type: 'string', pattern: '^[^\\s:]+:\\d{1,5}$' } as const;

/** JSON Schema of the environment variables the gateway reads. */
export const gatewayEnvSchema = {
  type: 'object',
  properties: {
    HOST: { type: 'string', minLength: 1, default: '0.0.0.0' },
    /** HTTP + socket.io port; 0 picks a free one (tests, embedded mode). */
    PORT: int(0, 65_535, 3000),
    /** This instance's name: session rows, its bus consumer group. Default: host name and pid. */
    GATEWAY_ID: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,100}$' },
    JWT_SECRET: { type: 'string', minLength: 16 },
    JWT_PUBLIC_KEY: { type: 'string', pattern: '-----BEGIN PUBLIC KEY-----' },
    JWT_ISSUER: { type: 'string', minLength: 1 },
    JWT_AUDIENCE: { type: 'string', minLength: 1 },
    /** Seconds a token's nbf/iat may lie in the future (issuer's clock ahead); never extends exp. */
    JWT_CLOCK_TOLERANCE_S: int(0, 300, 5),
    /** Longest token lifetime accepted (exp minus iat, and exp minus now); exp is required. */
    JWT_MAX_LIFETIME_SECONDS: int(60, 30 * 24 * 3600, 24 * 3600),
    /** Longest token accepted, in bytes (AUTH_TOKEN_TOO_LARGE above, if its handshake fits in MAX_MESSAGE_BYTES). */
    JWT_MAX_TOKEN_BYTES: int(256, 1024 * 1024, 8 * 1024),
    INTERACTION_ENGINE_ADDRESS: { ...address, default: '127.0.0.1:50052' },
    ENGINE_DEADLINE_MS: int(10, 60_000, 2_000),
    /** The engines' shared token, sent with every engine call (`authorization: Bearer ...`). */
    ENGINE_TOKEN: { type: 'string', minLength: 16 },
    BUS: { enum: ['memory', 'kafka'], default: 'memory' },
    KAFKA_BROKERS: { type: 'string', minLength: 1 },
    KAFKA_CLIENT_ID: { type: 'string', minLength: 1, default: 'anvil-gateway' },
    BUS_TOPIC_PREFIX: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,100}$' },
    DATABASE_URL: { type: 'string', minLength: 1, default: 'pglite://memory' },
    /** Apply pending SQL migrations at start (off when a release job migrates). */
    DATABASE_MIGRATE: { type: 'boolean', default: true },
    /** Comma-separated world phases that may be joined. */
    WORLD_READY_PHASES: { type: 'string', minLength: 1, default: 'Ready' },
    MAX_WORLDS_PER_CONNECTION: int(1, 64, 4),
    /** Token bucket per connection: sustained messages per second, and burst. */
    RATE_LIMIT_PER_SECOND: int(1, 100_000, 20),
    RATE_LIMIT_BURST: int(1, 100_000, 40),
    /** Consecutive refused (rate-limited) messages after which the connection is closed; 0 never. */
    RATE_LIMIT_DISCONNECT_AFTER: int(0, 1_000_000, 200),
    /**
     * Largest transport message (engine.io maxHttpBufferSize; a polling request body): larger
     * closes the connection without an answer, as nothing of it is decoded. It must hold a
     * handshake with an oversized token for that to be answered AUTH_TOKEN_TOO_LARGE.
     */
    MAX_MESSAGE_BYTES: int(1_024, 16 * 1024 * 1024, 1024 * 1024),
    /** Largest payload of one event, answered with PAYLOAD_TOO_LARGE. */
    MAX_EVENT_BYTES: int(64, 16 * 1024 * 1024, 4 * 1024),
    /** How long a dropped connection can be recovered with its missed deltas; 0 disables. */
    RECOVERY_WINDOW_MS: int(0, 3_600_000, 120_000),
    /** How long a disconnected player's body stays in the world before the gateway makes it leave. */
    DISCONNECT_GRACE_MS: int(0, 3_600_000, 30_000),
    /** Packets waiting in a socket's write buffer that make it "slow" (coalesced deltas). */
    SLOW_CLIENT_PACKETS: int(1, 100_000, 8),
    /** Bodies a slow socket's coalesced delta may hold before it is resynchronised by snapshot. */
    MAX_PENDING_BODIES: int(1, 1_000_000, 10_000),
    /** Comma-separated CORS origins for browsers; empty: same origin only. */
    CORS_ORIGINS: { type: 'string' },
    LOG_LEVEL: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
    SHUTDOWN_TIMEOUT_MS: int(0, 600_000, 10_000),
  },
} as const;

/** The environment after validation (defaults filled in, numbers and booleans coerced). */
export interface GatewayEnv {
  HOST: string;
  PORT: number;
  GATEWAY_ID?: string;
  JWT_SECRET?: string;
  JWT_PUBLIC_KEY?: string;
  JWT_ISSUER?: string;
  JWT_AUDIENCE?: string;
  JWT_CLOCK_TOLERANCE_S: number;
  JWT_MAX_LIFETIME_SECONDS: number;
  JWT_MAX_TOKEN_BYTES: number;
  INTERACTION_ENGINE_ADDRESS: string;
  ENGINE_DEADLINE_MS: number;
  ENGINE_TOKEN?: string;
  BUS: 'memory' | 'kafka';
  KAFKA_BROKERS?: string;
  KAFKA_CLIENT_ID: string;
  BUS_TOPIC_PREFIX?: string;
  DATABASE_URL: string;
  DATABASE_MIGRATE: boolean;
  WORLD_READY_PHASES: string;
  MAX_WORLDS_PER_CONNECTION: number;
  RATE_LIMIT_PER_SECOND: number;
  RATE_LIMIT_BURST: number;
  RATE_LIMIT_DISCONNECT_AFTER: number;
  MAX_MESSAGE_BYTES: number;
  MAX_EVENT_BYTES: number;
  RECOVERY_WINDOW_MS: number;
  DISCONNECT_GRACE_MS: number;
  SLOW_CLIENT_PACKETS: number;
  MAX_PENDING_BODIES: number;
  CORS_ORIGINS?: string;
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  SHUTDOWN_TIMEOUT_MS: number;
}
