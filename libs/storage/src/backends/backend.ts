import type { PrismaClient } from '../generated/prisma/client';
import type { MigrationResult, SqlExecutor } from '../migrations/migrate';

/** Runs one statement with `$1`, `$2`, ... parameters and returns its rows. */
export type SqlQuery = <Row>(sql: string, params?: unknown[]) => Promise<Row[]>;

/** Stops a `listen`. */
export type Unlisten = () => Promise<void>;

/** Channel names the backends LISTEN on: plain lower-case identifiers, so never quoted wrongly. */
export function assertChannel(channel: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel))
    throw new Error(`invalid notification channel "${channel}"`);
}

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
  /**
   * One statement that keeps a lease or a replica's report alive (renewals, heartbeats), on
   * connections of its own: a replica flooded with Inits and loads queues its other statements,
   * and a renewal that waited behind them for longer than its lease would lose running worlds.
   */
  readonly keepAlive: SqlQuery;
  /**
   * Calls `onPayload` for each NOTIFY on `channel` (of this database: channels are not per
   * schema). Notifications sent while a PostgreSQL listener reconnects are missed, so they may
   * only speed up what is otherwise found by polling.
   */
  listen(channel: string, onPayload: (payload: string) => void): Promise<Unlisten>;
  /** Applies pending SQL migrations through the raw driver (see `migrations/migrate.ts`). */
  migrate(): Promise<MigrationResult>;
  /** Opens up to `connections` pooled connections now and keeps them open (no-op embedded). */
  warm(connections: number): Promise<void>;
  /** Disconnects Prisma, then ends the pool or closes the embedded database. */
  close(): Promise<void>;
}
