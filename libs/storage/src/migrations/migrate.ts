import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {
  InvalidStorageConfigError,
  MigrationChecksumError,
  MigrationFailedError,
  StorageError,
} from '../errors';

/** Statements run inside one transaction (see {@link SqlExecutor.transaction}). */
export interface SqlTransaction {
  /** Runs a script of one or more statements without parameters. */
  exec(sql: string): Promise<void>;
  /** Runs one statement with `$1`, `$2`, ... parameters and returns its rows. */
  query<Row>(sql: string, params?: unknown[]): Promise<Row[]>;
}

/** The little a backend must offer for migrations: raw SQL in a transaction. */
export interface SqlExecutor {
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T>;
}

/** One migration: its folder name (which orders it), its SQL and that SQL's checksum. */
export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

/** What a {@link migrate} run did. */
export interface MigrationResult {
  /** Migrations applied by this run, in order. */
  applied: string[];
  /** Migrations that were already applied before this run. */
  alreadyApplied: string[];
}

/** Where the SQL migrations live, from both `src/migrations` and `dist/migrations`. */
export const MIGRATIONS_DIR = path.join(__dirname, '..', '..', 'prisma', 'migrations');

/** The table recording applied migrations (name, checksum, applied_at). */
export const MIGRATIONS_TABLE = '_anvil_migrations';

const FOLDER = /^\d{14}_[a-z0-9_]+$/;
// One key for every Anvil migration run: concurrent runners (two replicas starting) queue here.
const LOCK = 'SELECT pg_advisory_xact_lock(7301948105)';

/** Waits for the migration lock, held until `tx` ends: serialises schema changes across processes. */
export async function lockMigrations(tx: SqlTransaction): Promise<void> {
  await tx.exec(LOCK);
}

/** SHA-256 of the SQL with line endings normalised, so a checkout with CRLF is not a change. */
export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
}

/** Reads `<dir>/<14-digit timestamp>_<name>/migration.sql`, ordered by folder name. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const folders = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return folders.map((name) => {
    if (!FOLDER.test(name)) {
      throw new InvalidStorageConfigError(
        `migration folder "${name}" in ${dir} is not <yyyymmddhhmmss>_<name>`,
      );
    }
    const sql = fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
    return { name, sql, checksum: checksumOf(sql) };
  });
}

interface AppliedRow {
  name: string;
  checksum: string;
}

/**
 * Applies the pending migrations in order, each in its own transaction together with its row in
 * `_anvil_migrations`. Idempotent: a second run applies nothing. Refuses (before applying
 * anything) when an applied migration's SQL changed, and stops at the first failing migration.
 */
export async function migrate(
  executor: SqlExecutor,
  migrations: readonly Migration[] = loadMigrations(),
): Promise<MigrationResult> {
  const applied = await executor.transaction(async (tx) => {
    await lockMigrations(tx);
    await tx.exec(
      `CREATE TABLE IF NOT EXISTS "${MIGRATIONS_TABLE}" (` +
        `"name" TEXT PRIMARY KEY, "checksum" TEXT NOT NULL, "applied_at" TIMESTAMPTZ NOT NULL DEFAULT now())`,
    );
    return tx.query<AppliedRow>(`SELECT "name", "checksum" FROM "${MIGRATIONS_TABLE}"`);
  });
  const checksums = new Map(applied.map((row) => [row.name, row.checksum]));
  for (const migration of migrations) verify(migration, checksums.get(migration.name));

  const result: MigrationResult = { applied: [], alreadyApplied: [] };
  for (const migration of migrations) {
    if (checksums.has(migration.name)) {
      result.alreadyApplied.push(migration.name);
    } else if (await applyOne(executor, migration)) {
      result.applied.push(migration.name);
    } else {
      result.alreadyApplied.push(migration.name); // another runner got there first
    }
  }
  return result;
}

function verify(migration: Migration, appliedChecksum: string | undefined): void {
  if (appliedChecksum !== undefined && appliedChecksum !== migration.checksum) {
    throw new MigrationChecksumError(migration.name, appliedChecksum, migration.checksum);
  }
}

/** Applies one migration unless a concurrent runner already did; true when this call applied it. */
async function applyOne(executor: SqlExecutor, migration: Migration): Promise<boolean> {
  try {
    return await executor.transaction(async (tx) => {
      await lockMigrations(tx);
      const [row] = await tx.query<AppliedRow>(
        `SELECT "name", "checksum" FROM "${MIGRATIONS_TABLE}" WHERE "name" = $1`,
        [migration.name],
      );
      if (row) {
        verify(migration, row.checksum);
        return false;
      }
      await tx.exec(migration.sql);
      await tx.query(`INSERT INTO "${MIGRATIONS_TABLE}" ("name", "checksum") VALUES ($1, $2)`, [
        migration.name,
        migration.checksum,
      ]);
      return true;
    });
  } catch (error) {
    if (error instanceof StorageError) throw error;
    throw new MigrationFailedError(migration.name, { cause: error });
  }
}
