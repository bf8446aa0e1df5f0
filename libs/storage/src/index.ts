// @anvil/storage: world metadata, checkpoints, player sessions and the audit log, on PostgreSQL
// (cluster) or PGlite (embedded), through one Prisma schema and one API.
export { createStorage, openMigratedStorage, type Storage } from './storage';
export { parseStorageConfig, redact, type StorageConfig, type StorageTarget } from './config';
export {
  ANALYTICS_COUNTERS,
  type AnalyticsCounter,
  type AnalyticsDelta,
  type AnalyticsEventKey,
  type AnalyticsRange,
  type AnalyticsTotals,
  type AnalyticsWorldState,
  type CommandBucket,
  type PlayerBucket,
  type SessionStats,
} from './domain';
export type {
  AcquireLeaseInput,
  AuditEntry,
  AuditInput,
  EngineReplica,
  GameState,
  GameStateInput,
  LeaseHandover,
  ReplicaHeartbeat,
  Checkpoint,
  CheckpointInput,
  CheckpointSummary,
  ListOptions,
  OpenSessionInput,
  PlayerSession,
  World,
  WorldInput,
  WorldBinding,
  WorldLease,
} from './domain';
export {
  ConflictError,
  FencedError,
  LeaseHeldError,
  InvalidInputError,
  InvalidStorageConfigError,
  MigrationChecksumError,
  MigrationFailedError,
  NotFoundError,
  StorageClosedError,
  StorageError,
  StorageErrorCode,
  StorageUnavailableError,
} from './errors';
export type {
  ColumnDescription,
  ForeignKeyDescription,
  IndexDescription,
  SchemaDescription,
} from './migrations/inspect';
export {
  checksumOf,
  loadMigrations,
  migrate,
  MIGRATIONS_DIR,
  MIGRATIONS_TABLE,
  type Migration,
  type MigrationResult,
  type SqlExecutor,
  type SqlTransaction,
} from './migrations/migrate';
export { MAX_BUCKET_SECONDS, MAX_SERIES } from './repositories/analytics-input';
export type { AnalyticsRepository } from './repositories/analytics.repository';
export type { AuditRepository } from './repositories/audit.repository';
export type { CheckpointRepository } from './repositories/checkpoints.repository';
export {
  MAX_GAME_STATE_BYTES,
  type GameStateRepository,
} from './repositories/game-states.repository';
export {
  ACQUIRE_SQL,
  MAX_LEASE_TTL_MS,
  MAX_RENEW_BATCH,
  type HandedTo,
  type LeaseRepository,
} from './repositories/leases.repository';
export type { ReplicaRepository } from './repositories/replicas.repository';
export type { SessionRepository } from './repositories/sessions.repository';
export type { WorldRepository } from './repositories/worlds.repository';
export { MAX_DETAILS_BYTES, MAX_LIMIT, MAX_STATE_BYTES, MAX_TEXT } from './validation';
