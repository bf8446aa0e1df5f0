import * as fs from 'node:fs';

import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';

import { PrismaClient } from '../generated/prisma/client';
import { migrate, type SqlExecutor } from '../migrations/migrate';
import { assertChannel, type Backend } from './backend';

/** Opens an embedded PGlite database: in memory when `dataDir` is undefined, else in that folder. */
export async function openPglite(dataDir: string | undefined): Promise<Backend> {
  if (dataDir !== undefined) fs.mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir !== undefined ? { dataDir } : {});
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(db) });
  const executor: SqlExecutor = {
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({
          exec: async (sql) => {
            await tx.exec(sql);
          },
          query: async <Row>(sql: string, params: unknown[] = []) =>
            (await tx.query<Row>(sql, params)).rows,
        }),
      ),
  };
  const query = async <Row>(sql: string, params: unknown[] = []) =>
    (await db.query<Row>(sql, params)).rows;
  return {
    kind: 'pglite',
    prisma,
    executor,
    query,
    // One embedded connection: its statements run in order whatever the caller.
    keepAlive: query,
    async warm() {
      // One embedded database, no connections to open.
    },
    async listen(channel, onPayload) {
      assertChannel(channel);
      const unlisten = await db.listen(channel, onPayload);
      return async () => {
        // Closing the database ends every subscription; an unlisten after it would fail.
        if (!db.closed) await unlisten();
      };
    },
    migrate: () => migrate(executor),
    async close() {
      await prisma.$disconnect();
      await db.close();
    },
  };
}
