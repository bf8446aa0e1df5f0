import { Client } from 'pg';

import { LISTENER_APPLICATION_NAME } from '../src/backends/pg-listener';
import { StorageUnavailableError } from '../src/errors';
import { loadMigrations } from '../src/migrations/migrate';
import { createStorage, type Storage } from '../src/storage';
import { aWorld, describeStorageContract } from '../src/testing/storage-contract';

// Against the real PostgreSQL of tools/testenv (DATABASE_URL from .testenv/env). Every storage
// opened here gets a schema of its own, named after this run, and the schemas are dropped at
// the end, so runs never see each other's rows.
const databaseUrl = process.env.DATABASE_URL ?? '';
const run = `anvil_storage_${Date.now().toString(36)}_${process.pid}`;
const schemas: string[] = [];

function freshUrl(): string {
  const schema = `${run}_${schemas.length}`;
  schemas.push(schema);
  const url = new URL(databaseUrl);
  url.searchParams.set('schema', schema);
  return url.toString();
}

beforeAll(() => {
  if (!databaseUrl.startsWith('postgres'))
    throw new Error('DATABASE_URL is not set: run `npm run testenv:up`.');
});

afterAll(async () => {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
});

describeStorageContract('PostgreSQL', () => createStorage({ url: freshUrl() }));

describe('PostgreSQL backend', () => {
  const opened: Storage[] = [];
  const open = async (url: string) => {
    const storage = await createStorage({ url });
    opened.push(storage);
    return storage;
  };
  afterAll(() => Promise.all(opened.map((s) => s.close())));

  it('works inside the schema the URL names, apart from other schemas', async () => {
    const [a, b] = [await open(freshUrl()), await open(freshUrl())];
    await Promise.all([a.migrate(), b.migrate()]);
    const world = await a.worlds.upsert(aWorld());
    expect(await a.worlds.get(world.id)).toEqual(world);
    expect(await b.worlds.get(world.id)).toBeNull();
    expect(a.backend).toBe('postgres');
  });

  it('lets two instances migrate one database at the same time, each migration once', async () => {
    const url = freshUrl();
    const [a, b] = [await open(url), await open(url)];
    const results = await Promise.all([a.migrate(), b.migrate()]);
    const names = loadMigrations().map((m) => m.name);
    expect(results.flatMap((r) => r.applied).sort()).toEqual(names);
    expect(results.flatMap((r) => r.alreadyApplied).sort()).toEqual(names);
  });

  it('listens again after the server ends its listening connection', async () => {
    const storage = await open(freshUrl());
    await storage.migrate();
    const role = `relisten-${Date.now().toString(36)}`;
    let heard = 0;
    const since = new Date();
    const unlisten = await storage.leases.onOrphaned(role, () => heard++);
    const admin = new Client({ connectionString: databaseUrl });
    await admin.connect();
    try {
      // Listeners that other suites opened in this window only reconnect as well.
      const ended = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE application_name = $1 AND backend_start >= $2`,
        [LISTENER_APPLICATION_NAME, since],
      );
      expect(ended.rowCount).toBeGreaterThanOrEqual(1);
    } finally {
      await admin.end();
    }
    // Released until one is heard: the ones before the new connection listens are missed.
    for (let i = 0; i < 200 && heard === 0; i++) {
      const worldId = `w-${i}`;
      await storage.leases.acquire({ worldId, role, holder: 'a', address: 'a:1', ttlMs: 60_000 });
      await storage.leases.release(worldId, role, 'a', 1, false);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(heard).toBeGreaterThanOrEqual(1);
    await unlisten();
  });

  it('renews leases and reports replicas while every pooled connection waits on a lock', async () => {
    const url = freshUrl();
    const storage = await open(url);
    await storage.migrate();
    const world = await storage.worlds.upsert(aWorld());
    const role = 'busy-pool';
    const lease = (worldId: string) => ({
      worldId,
      role,
      holder: 'a',
      address: 'a:1',
      ttlMs: 60_000,
    });
    await storage.leases.acquire(lease('kept'));
    const admin = new Client({ connectionString: databaseUrl });
    await admin.connect();
    let unlocked = false;
    const unlock = async () => {
      if (unlocked) return;
      unlocked = true;
      await admin.query('COMMIT');
      await admin.end();
    };
    try {
      await admin.query('BEGIN');
      const schema = new URL(url).searchParams.get('schema');
      await admin.query(`SELECT 1 FROM "${schema}".worlds WHERE id = $1 FOR UPDATE`, [world.id]);
      // Twice the pool's size: every pooled connection blocks on the row, the rest queue.
      const blocked = Array.from({ length: 20 }, () =>
        storage.worlds.upsert({ ...world, phase: 'Ready' }),
      );
      // Bounded: without connections of their own, the renewal would wait for this.
      const deadline = setTimeout(() => void unlock(), 10_000);
      const renewed = await storage.leases.renew(
        role,
        'a',
        [{ worldId: 'kept', epoch: 1 }],
        60_000,
      );
      await storage.replicas.heartbeat({
        role,
        replicaId: 'r1',
        address: 'a:1',
        ttlMs: 60_000,
        worlds: 1,
        bodies: 1,
        maxWorlds: 8,
        maxBodies: 100,
      });
      const unlockedFirst = unlocked;
      clearTimeout(deadline);
      expect(unlockedFirst).toBe(false);
      expect([...renewed.keys()]).toEqual(['kept']);
      await unlock();
      await Promise.all(blocked);
      expect((await storage.replicas.live(role)).map((r) => r.replicaId)).toEqual(['r1']);
    } finally {
      await unlock();
    }
  });

  it('opens the connections it is asked to warm, no more than its pool holds', async () => {
    const name = `warm-${process.pid}-${Date.now().toString(36)}`;
    const url = new URL(freshUrl());
    url.searchParams.set('application_name', name);
    const storage = await open(url.toString());
    const admin = new Client({ connectionString: databaseUrl });
    await admin.connect();
    const connections = async () =>
      Number(
        (
          await admin.query(
            'SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1',
            [name],
          )
        ).rows[0].n,
      );
    try {
      await storage.migrate(); // on one connection
      expect(await connections()).toBe(1);
      await storage.warm(3);
      expect(await connections()).toBe(3);
      await storage.warm(1_000);
      expect(await connections()).toBe(10);
    } finally {
      await admin.end();
    }
  });

  it('reports an unreachable server as StorageUnavailableError without leaking the password', async () => {
    const storage = await open('postgresql://anvil:hunter2@127.0.0.1:1/anvil_test');
    const error = await storage.migrate().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect(error).toMatchObject({
      code: 'STORAGE_UNAVAILABLE',
      message: expect.stringContaining('anvil:***@127.0.0.1:1'),
    });
    expect((error as Error).message).not.toContain('hunter2');
    await expect(storage.ping()).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(storage.warm(3)).rejects.toBeInstanceOf(StorageUnavailableError);
  });

  it('reports a wrong password as StorageUnavailableError', async () => {
    const url = new URL(databaseUrl);
    url.password = 'wrong-password';
    const storage = await open(url.toString());
    await expect(storage.ping()).rejects.toBeInstanceOf(StorageUnavailableError);
  });
});
