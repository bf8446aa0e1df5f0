import { PrismaPg } from '@prisma/adapter-pg';
import { Pool, type PoolClient } from 'pg';

import { redact } from '../config';
import { StorageUnavailableError } from '../errors';
import { PrismaClient } from '../generated/prisma/client';
import {
  lockMigrations,
  migrate,
  type SqlExecutor,
  type SqlTransaction,
} from '../migrations/migrate';
import { assertChannel, type Backend, type Unlisten } from './backend';
import { listenPostgres } from './pg-listener';

/** Pool settings: fail fast when the server is unreachable instead of hanging a start-up. */
const POOL = { max: 10, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000 };
/**
 * Keep-alive statements' own connections (`Backend.keepAlive`): a replica runs one renewal (for
 * all its leases) and one report at a time. Kept open once opened (`min`): opening one took
 * 1.4-1.8 s on the CI machine while a replica took worlds over, longer than a renewal may wait.
 */
const KEEP_ALIVE_POOL = { ...POOL, max: 2, min: 2, application_name: 'anvil-keepalive' };

/** Opens PostgreSQL through `pg` and `@prisma/adapter-pg`; every connection works in `schema`. */
export function openPostgres(connectionString: string, schema: string): Backend {
  // search_path makes the unqualified names of the SQL migrations land in `schema`; Prisma
  // qualifies its own queries with the adapter's `schema` option.
  const options = `-c search_path=${schema}`;
  const pool = new Pool({ ...POOL, connectionString, options });
  const keepAlivePool = new Pool({ ...KEEP_ALIVE_POOL, connectionString, options });
  // An idle connection dropped by the server emits 'error' on the pool; without a listener that
  // would crash the process. The next query reports the failure to its caller instead.
  pool.on('error', () => undefined);
  keepAlivePool.on('error', () => undefined);
  let keepAliveWarm = false;
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { schema }) });
  const executor = poolExecutor(pool, connectionString);
  const listeners = new Set<Unlisten>();
  return {
    kind: 'postgres',
    prisma,
    executor,
    query: async <Row>(sql: string, params: unknown[] = []) =>
      (await pool.query(sql, params)).rows as Row[],
    async keepAlive<Row>(sql: string, params: unknown[] = []) {
      if (!keepAliveWarm) {
        // The first one (a replica's first heartbeat, at its start) opens both connections: one
        // opened later, when a renewal needs it, is opened while the replica is busiest.
        keepAliveWarm = true;
        void keepAlivePool.connect().then(
          (client) => client.release(),
          () => undefined,
        );
      }
      return (await keepAlivePool.query(sql, params)).rows as Row[];
    },
    async listen(channel, onPayload) {
      assertChannel(channel);
      const unlisten = await listenPostgres(connectionString, options, channel, onPayload);
      const stop = async () => {
        listeners.delete(stop);
        await unlisten();
      };
      listeners.add(stop);
      return stop;
    },
    async migrate() {
      await ensureSchema(executor, schema);
      return migrate(executor);
    },
    async warm(connections) {
      const count = Math.max(0, Math.min(Math.floor(connections), POOL.max));
      // pg-pool reads `min` when it decides whether an idle connection may close.
      (pool.options as { min?: number }).min = count;
      const opened = await Promise.allSettled(
        Array.from({ length: count }, () => connectPooled(pool, connectionString)),
      );
      // Every connection that opened goes back to the pool, even when another one failed.
      for (const result of opened) if (result.status === 'fulfilled') result.value.release();
      const failed = opened.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
    },
    async close() {
      // Listening connections are not the pool's: left open, they would keep the process alive.
      await Promise.all([...listeners].map((stop) => stop()));
      await prisma.$disconnect();
      await Promise.all([pool.end(), keepAlivePool.end()]);
    },
  };
}

/** Creates the URL's schema on first use (needs CREATE on the database; `public` always exists). */
async function ensureSchema(executor: SqlExecutor, schema: string): Promise<void> {
  await executor.transaction(async (tx) => {
    await lockMigrations(tx); // two instances starting at once must not both create it
    const found = await tx.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    // `schema` was checked to be a plain lower-case identifier by parseStorageConfig.
    if (found.length === 0) await tx.exec(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  });
}

/** A pooled connection; one that cannot be opened is StorageUnavailableError. */
async function connectPooled(pool: Pool, connectionString: string): Promise<PoolClient> {
  try {
    return await pool.connect();
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new StorageUnavailableError(
      `cannot reach PostgreSQL at ${redact(connectionString)}: ${reason}`,
      { cause },
    );
  }
}

/** Raw SQL on one pooled connection per transaction; a failed connect is StorageUnavailableError. */
function poolExecutor(pool: Pool, connectionString: string): SqlExecutor {
  return {
    async transaction(fn) {
      const client = await connectPooled(pool, connectionString);
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await fn(clientTransaction(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        // A connection that cannot even roll back is dropped from the pool rather than reused.
        await client.query('ROLLBACK').catch(() => (broken = true));
        throw error;
      } finally {
        client.release(broken);
      }
    },
  };
}

function clientTransaction(client: PoolClient): SqlTransaction {
  return {
    async exec(sql) {
      await client.query(sql);
    },
    async query<Row>(sql: string, params: unknown[] = []) {
      return (await client.query(sql, params)).rows as Row[];
    },
  };
}
