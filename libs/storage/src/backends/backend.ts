import type { PrismaClient } from '../generated/prisma/client';
import type { MigrationResult, SqlExecutor } from '../migrations/migrate';

/** Runs one statement with `$1`, `$2`, ... parameters and returns its rows. */
export type SqlQuery = <Row>(sql: string, params?: unknown[]) => Promise<Row[]>;

/**
 * An opened database: the one Prisma client of this storage (the only place the client lives,
 * handed to the repositories), the migration entry point and the way to release it all.
 */
export interface Backend {
  /** `postgres` or `pglite`: which driver sits under Prisma. */
  readonly kind: 'postgres' | 'pglite';
  readonly prisma: PrismaClient;
  /** Raw SQL through the driver, outside Prisma: for migrations and schema inspection. */
  readonly executor: SqlExecutor;
  /** One statement through the driver, outside Prisma and any transaction (hot paths: leases). */
  readonly query: SqlQuery;
  /** Applies pending SQL migrations through the raw driver (see `migrations/migrate.ts`). */
  migrate(): Promise<MigrationResult>;
  /** Disconnects Prisma, then ends the pool or closes the embedded database. */
  close(): Promise<void>;
}
