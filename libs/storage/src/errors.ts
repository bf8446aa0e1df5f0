import type { WorldLease } from './domain';

/** Stable codes for every storage failure; callers branch on these, never on messages. */
export const StorageErrorCode = {
  InvalidConfig: 'STORAGE_INVALID_CONFIG',
  InvalidInput: 'STORAGE_INVALID_INPUT',
  NotFound: 'STORAGE_NOT_FOUND',
  Conflict: 'STORAGE_CONFLICT',
  LeaseHeld: 'STORAGE_LEASE_HELD',
  Fenced: 'STORAGE_FENCED',
  MigrationChecksumMismatch: 'STORAGE_MIGRATION_CHECKSUM_MISMATCH',
  MigrationFailed: 'STORAGE_MIGRATION_FAILED',
  Unavailable: 'STORAGE_UNAVAILABLE',
  Closed: 'STORAGE_CLOSED',
} as const;

/** One of the {@link StorageErrorCode} values. */
export type StorageErrorCode = (typeof StorageErrorCode)[keyof typeof StorageErrorCode];

/** Base class of every error this library throws on purpose. */
export class StorageError extends Error {
  override readonly name: string = 'StorageError';

  constructor(
    readonly code: StorageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The storage URL (or another setting) cannot be used; nothing was opened. */
export class InvalidStorageConfigError extends StorageError {
  override readonly name = 'InvalidStorageConfigError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(StorageErrorCode.InvalidConfig, message, options);
  }
}

/** A repository argument is malformed (empty id, negative tick, ...); `field` names it. */
export class InvalidInputError extends StorageError {
  override readonly name = 'InvalidInputError';

  constructor(
    readonly field: string,
    message: string,
  ) {
    super(StorageErrorCode.InvalidInput, `${field}: ${message}`);
  }
}

/** The row an operation needs does not exist (`entity` is "world", "session", ...). */
export class NotFoundError extends StorageError {
  override readonly name = 'NotFoundError';

  constructor(
    readonly entity: string,
    readonly id: string,
    options?: { cause?: unknown },
  ) {
    super(StorageErrorCode.NotFound, `${entity} "${id}" does not exist`, options);
  }
}

/** The write contradicts what is stored (e.g. a second, different checkpoint for one tick). */
export class ConflictError extends StorageError {
  override readonly name = 'ConflictError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(StorageErrorCode.Conflict, message, options);
  }
}

/** Another holder's lease on the world has not expired; `lease` is that lease. */
export class LeaseHeldError extends StorageError {
  override readonly name = 'LeaseHeldError';

  constructor(readonly lease: WorldLease) {
    super(
      StorageErrorCode.LeaseHeld,
      `world "${lease.worldId}" (${lease.role}) is held by ${lease.holder} at ${lease.address}, epoch ${lease.epoch}, until ${lease.expiresAt.toISOString()}`,
    );
  }
}

/**
 * A write carried a lease epoch that is not the world's current one: its writer lost the world
 * (it was paused or cut off past its lease, and another replica took over). Nothing was written.
 * A write that names its holder (game states) is also fenced when the lease is another holder's:
 * then `holder` is the writer and `currentHolder` the lease's holder (null without a lease).
 */
export class FencedError extends StorageError {
  override readonly name = 'FencedError';
  readonly holder: string | undefined;
  readonly currentHolder: string | null | undefined;

  constructor(
    readonly worldId: string,
    readonly role: string,
    readonly epoch: number,
    readonly currentEpoch: number | null,
    holders?: { holder: string; currentHolder: string | null },
  ) {
    const writer = holders ? `${holders.holder} at epoch ${epoch}` : `epoch ${epoch}`;
    const lease =
      currentEpoch === null
        ? 'gone'
        : `at epoch ${currentEpoch}${holders?.currentHolder ? `, held by ${holders.currentHolder}` : ''}`;
    super(
      StorageErrorCode.Fenced,
      `world "${worldId}" (${role}): ${writer} is fenced, the lease is ${lease}`,
    );
    this.holder = holders?.holder;
    this.currentHolder = holders?.currentHolder;
  }
}

/** An applied migration's file changed since it ran; the database was left untouched. */
export class MigrationChecksumError extends StorageError {
  override readonly name = 'MigrationChecksumError';

  constructor(
    readonly migration: string,
    readonly appliedChecksum: string,
    readonly currentChecksum: string,
  ) {
    super(
      StorageErrorCode.MigrationChecksumMismatch,
      `migration "${migration}" was applied with checksum ${appliedChecksum} but its file now has ` +
        `${currentChecksum}: applied migrations must never be edited; add a new migration instead`,
    );
  }
}

/** A migration's SQL failed; its transaction was rolled back and later migrations did not run. */
export class MigrationFailedError extends StorageError {
  override readonly name = 'MigrationFailedError';

  constructor(
    readonly migration: string,
    options: { cause: unknown },
  ) {
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(StorageErrorCode.MigrationFailed, `migration "${migration}" failed: ${reason}`, options);
  }
}

/** The database server cannot be reached or refused the login; `cause` has the driver's error. */
export class StorageUnavailableError extends StorageError {
  override readonly name = 'StorageUnavailableError';

  constructor(message: string, options: { cause: unknown }) {
    super(StorageErrorCode.Unavailable, message, options);
  }
}

/** The storage was closed; open a new one. */
export class StorageClosedError extends StorageError {
  override readonly name = 'StorageClosedError';

  constructor() {
    super(StorageErrorCode.Closed, 'storage is closed');
  }
}
