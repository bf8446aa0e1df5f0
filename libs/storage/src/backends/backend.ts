import type { PrismaClient } from '../generated/prisma/client';
import type { MigrationResult, SqlExecutor } from '../migrations/migrate';

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
  /** Applies pending SQL migrations through the raw driver (see `migrations/migrate.ts`). */
  migrate(): Promise<MigrationResult>;
  /** Disconnects Prisma, then ends the pool or closes the embedded database. */
  close(): Promise<void>;
}
