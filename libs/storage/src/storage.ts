import type { Backend, SqlQuery } from './backends/backend';
import type { SqlExecutor } from './migrations/migrate';
import { openPglite } from './backends/pglite';
import { openPostgres } from './backends/postgres';
import { parseStorageConfig, type StorageConfig } from './config';
import { StorageClosedError } from './errors';
import { inspectSchema, type SchemaDescription } from './migrations/inspect';
import type { MigrationResult } from './migrations/migrate';
import { AnalyticsRepository } from './repositories/analytics.repository';
import { AuditRepository } from './repositories/audit.repository';
import { CheckpointRepository } from './repositories/checkpoints.repository';
import { GameStateRepository } from './repositories/game-states.repository';
import { LeaseRepository } from './repositories/leases.repository';
import { ReplicaRepository } from './repositories/replicas.repository';
import { prismaAccess } from './repositories/prisma-errors';
import { SessionRepository } from './repositories/sessions.repository';
import { WorldRepository } from './repositories/worlds.repository';

/**
 * One opened database behind one API, whichever backend the URL chose. Owns the app's single
 * Prisma client (convention 11): open it once at start-up, `close()` it on shutdown.
 */
export interface Storage {
  /** Which backend the URL selected. */
  readonly backend: 'postgres' | 'pglite';
  /** Applies pending SQL migrations (idempotent); call once before using the repositories. */
  migrate(): Promise<MigrationResult>;
  /** The tables, indexes and foreign keys as the database has them (diagnostics, drift tests). */
  inspect(): Promise<SchemaDescription>;
  /** Resolves when the database answers a trivial query (readiness probes); StorageUnavailableError if not. */
  ping(): Promise<void>;
  /**
   * Readies what the first burst of statements needs (an engine replica taking worlds over just
   * after it started): opens up to `connections` pooled PostgreSQL connections now and keeps
   * them open (none for the embedded database), and loads Prisma's query compiler.
   */
  warm(connections: number): Promise<void>;
  readonly worlds: WorldRepository;
  readonly checkpoints: CheckpointRepository;
  readonly leases: LeaseRepository;
  /** Game modules' rules state per (world, role), saves fenced by the lease of that role. */
  readonly gameStates: GameStateRepository;
  readonly replicas: ReplicaRepository;
  readonly sessions: SessionRepository;
  readonly audit: AuditRepository;
  /** The analytics module's per-world figures, each event applied once (docs/analytics.md). */
  readonly analytics: AnalyticsRepository;
  /** Releases connections (or closes the embedded database); later calls throw StorageClosedError. */
  close(): Promise<void>;
}

/**
 * Opens storage from a URL: `postgresql://...` for a PostgreSQL server, `pglite://memory` or
 * `pglite://<folder>` for the embedded database. Throws InvalidStorageConfigError for a bad URL
 * before opening anything. Does not migrate: call `migrate()`.
 */
export async function createStorage(config: StorageConfig): Promise<Storage> {
  const target = parseStorageConfig(config);
  const backend =
    target.kind === 'postgres'
      ? openPostgres(target.connectionString, target.schema)
      : await openPglite(target.dataDir);
  return wrap(backend);
}

function wrap(backend: Backend): Storage {
  let closed = false;
  let closing: Promise<void> | undefined;
  const db = prismaAccess(backend.prisma, () => closed);
  const sql: SqlQuery = (text, params) => {
    if (closed) return Promise.reject(new StorageClosedError());
    return backend.query(text, params);
  };
  const keepAlive: SqlQuery = (text, params) => {
    if (closed) return Promise.reject(new StorageClosedError());
    return backend.keepAlive(text, params);
  };
  const transactions: SqlExecutor = {
    transaction: (fn) =>
      closed ? Promise.reject(new StorageClosedError()) : backend.executor.transaction(fn),
  };
  const open = () => {
    if (closed) throw new StorageClosedError();
  };
  return {
    backend: backend.kind,
    async migrate() {
      open();
      return backend.migrate();
    },
    async inspect() {
      open();
      return inspectSchema(backend.executor);
    },
    async warm(connections) {
      open();
      // Prisma compiles its query compiler (WebAssembly) at its first query: 0.4 s of CPU that a
      // replica taking worlds over just after it started spent in the middle of its takeovers.
      await backend.warm(connections);
      await db().world.findUnique({ where: { id: '' }, select: { id: true } });
    },
    async ping() {
      open();
      await backend.executor.transaction((tx) => tx.query('SELECT 1'));
    },
    worlds: new WorldRepository(db),
    checkpoints: new CheckpointRepository(db, sql),
    leases: new LeaseRepository(sql, keepAlive, (channel, onPayload) =>
      closed ? Promise.reject(new StorageClosedError()) : backend.listen(channel, onPayload),
    ),
    gameStates: new GameStateRepository(transactions, sql),
    replicas: new ReplicaRepository(sql, keepAlive),
    sessions: new SessionRepository(db),
    audit: new AuditRepository(db),
    analytics: new AnalyticsRepository(transactions, sql),
    close() {
      closed = true;
      closing ??= backend.close();
      return closing;
    },
  };
}

/**
 * Opens storage and applies its migrations (what an app that owns its storage does at start);
 * closes it again when they fail.
 */
export async function openMigratedStorage(url: string): Promise<Storage> {
  const storage = await createStorage({ url });
  try {
    await storage.migrate();
  } catch (error) {
    await storage.close();
    throw error;
  }
  return storage;
}
