import * as fs from 'node:fs';
import * as path from 'node:path';

import { ConflictError, InvalidInputError } from '../errors';
import { loadMigrations, MIGRATIONS_TABLE, type MigrationResult } from '../migrations/migrate';
import type { Storage } from '../storage';
import { describeAnalytics } from './analytics-contract';
import { describeBadInput } from './bad-input-contract';
import { describeCheckpoints } from './checkpoints-contract';
import { aWorld, uid } from './fixtures';
import { describeGameStates } from './game-states-contract';
import { describeLeases } from './leases-contract';
import { describeSessionsAndAudit } from './sessions-audit-contract';
import { expectedSchema } from './prisma-schema';

/** Opens a new, empty, unmigrated storage; each call must give a database of its own. */
export type StorageFactory = () => Promise<Storage>;

/** Opening PGlite (WASM initdb) on a busy 2-core machine takes tens of seconds. */
const OPEN_TIMEOUT = 180_000;

export { aWorld, uid } from './fixtures';

/**
 * The behaviour every backend must show, run against PGlite in the unit tests and against a real
 * PostgreSQL server in the integration tests. `factory` is called once for the whole suite.
 */
export function describeStorageContract(name: string, factory: StorageFactory): void {
  describe(`storage contract: ${name}`, () => {
    const ctx = {} as { storage: Storage; firstRun: MigrationResult };
    const migrations = loadMigrations().map((m) => m.name);

    beforeAll(async () => {
      ctx.storage = await factory();
      ctx.firstRun = await ctx.storage.migrate();
    }, OPEN_TIMEOUT);
    afterAll(() => ctx.storage?.close());

    describe('migrations', () => {
      it('apply every migration, in order, to an empty database', () => {
        expect(migrations.length).toBeGreaterThan(0);
        expect(ctx.firstRun).toEqual({ applied: migrations, alreadyApplied: [] });
      });

      it('are idempotent: a second run applies nothing', async () => {
        expect(await ctx.storage.migrate()).toEqual({ applied: [], alreadyApplied: migrations });
      });

      it('leave exactly the tables, columns, indexes and foreign keys of prisma/schema.prisma', async () => {
        const schema = fs.readFileSync(
          path.join(__dirname, '..', '..', 'prisma', 'schema.prisma'),
          'utf8',
        );
        const expected = expectedSchema(schema);
        const actual = await ctx.storage.inspect();
        const ours = <T extends { table: string }>(rows: T[]) =>
          rows.filter((row) => row.table !== MIGRATIONS_TABLE);
        const byKey = <T extends { table: string }>(rows: T[], key: (row: T) => string) =>
          [...rows].sort((a, b) => key(a).localeCompare(key(b)));
        expect(byKey(ours(actual.columns), (c) => `${c.table}.${c.column}`)).toEqual(
          byKey(expected.columns, (c) => `${c.table}.${c.column}`),
        );
        expect(byKey(ours(actual.indexes), (i) => i.name)).toEqual(
          byKey(expected.indexes, (i) => i.name),
        );
        expect(byKey(actual.foreignKeys, (f) => f.name)).toEqual(
          byKey(expected.foreignKeys, (f) => f.name),
        );
      });
    });

    it('warms up and goes on answering', async () => {
      await ctx.storage.warm(2);
      await expect(ctx.storage.ping()).resolves.toBeUndefined();
    });

    describe('worlds', () => {
      it('upserts, reads back and updates a world', async () => {
        const input = aWorld();
        const created = await ctx.storage.worlds.upsert(input);
        expect(created).toEqual({
          ...input,
          bindings: [],
          createdAt: expect.any(Date),
          updatedAt: expect.any(Date),
        });
        expect(await ctx.storage.worlds.get(input.id)).toEqual(created);

        const updated = await ctx.storage.worlds.upsert({ ...input, shards: 4, phase: 'Running' });
        expect(updated).toMatchObject({
          shards: 4,
          phase: 'Running',
          createdAt: created.createdAt,
        });
        expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
        expect(await ctx.storage.worlds.setPhase(input.id, 'Terminating')).toMatchObject({
          phase: 'Terminating',
        });
      });

      it("stores a world's bindings and keeps them when an update leaves them out", async () => {
        const bindings = [
          {
            capabilityId: 'physics.simulation',
            consumer: 'interaction-engine',
            provider: 'physics-rapier',
            address: 'physics-rapier.games.svc:50051',
            shard: null,
          },
          {
            capabilityId: 'storage.checkpoint',
            consumer: 'physics-rapier',
            provider: 'checkpoint-store',
            address: '10.0.0.9:7000',
            shard: 1,
          },
        ];
        const input = aWorld({ bindings });
        expect((await ctx.storage.worlds.upsert(input)).bindings).toEqual(bindings);
        const { bindings: _omitted, ...withoutBindings } = input;
        await ctx.storage.worlds.upsert({ ...withoutBindings, phase: 'Ready' });
        expect(await ctx.storage.worlds.get(input.id)).toMatchObject({ phase: 'Ready', bindings });
        await ctx.storage.worlds.upsert({ ...input, bindings: [] });
        expect((await ctx.storage.worlds.get(input.id))?.bindings).toEqual([]);
      });

      it('lists a namespace ordered by name', async () => {
        const namespace = uid('ns');
        for (const name of ['charlie', 'alpha', 'bravo'])
          await ctx.storage.worlds.upsert(aWorld({ namespace, name }));
        const names = (await ctx.storage.worlds.list({ namespace })).map((w) => w.name);
        expect(names).toEqual(['alpha', 'bravo', 'charlie']);
      });

      it('reads many worlds by id at once, the ones that exist, at most 1000 ids a call', async () => {
        const [a, b] = [
          await ctx.storage.worlds.upsert(aWorld()),
          await ctx.storage.worlds.upsert(aWorld()),
        ];
        const found = await ctx.storage.worlds.getMany([a.id, 'no-such-world', b.id]);
        expect(found.map((w) => w.id).sort()).toEqual([a.id, b.id].sort());
        expect(await ctx.storage.worlds.getMany([])).toEqual([]);
        await expect(
          ctx.storage.worlds.getMany(Array.from({ length: 1001 }, (_, i) => `w${i}`)),
        ).rejects.toBeInstanceOf(InvalidInputError);
      });

      it('refuses a second id for the same namespace and name', async () => {
        const first = await ctx.storage.worlds.upsert(aWorld());
        const clash = ctx.storage.worlds.upsert(
          aWorld({ namespace: first.namespace, name: first.name }),
        );
        await expect(clash).rejects.toBeInstanceOf(ConflictError);
      });

      it('reports a missing world by name', async () => {
        expect(await ctx.storage.worlds.get(uid('missing'))).toBeNull();
        await expect(ctx.storage.worlds.setPhase(uid('missing'), 'Running')).rejects.toMatchObject({
          name: 'NotFoundError',
          entity: 'world',
        });
      });

      it('deletes a world with its checkpoints and sessions but keeps its audit trail', async () => {
        const world = await ctx.storage.worlds.upsert(aWorld());
        await ctx.storage.checkpoints.save({
          worldId: world.id,
          shard: 0,
          tick: 1,
          stateHash: 'h',
          state: new Uint8Array([1]),
        });
        const session = await ctx.storage.sessions.open({
          worldId: world.id,
          playerId: 'p1',
          gateway: 'gw-0',
        });
        await ctx.storage.audit.record({
          actor: 'controller',
          action: 'world.deleted',
          worldId: world.id,
          traceId: uid('t'),
        });

        expect(await ctx.storage.worlds.delete(world.id)).toBe(true);
        expect(await ctx.storage.worlds.delete(world.id)).toBe(false);
        expect(await ctx.storage.checkpoints.latest(world.id)).toBeNull();
        expect(await ctx.storage.sessions.get(session.id)).toBeNull();
        expect(await ctx.storage.audit.listByWorld(world.id)).toHaveLength(1);
      });
    });

    describeCheckpoints(() => ctx.storage);
    describeLeases(() => ctx.storage);
    describeGameStates(() => ctx.storage);
    describeSessionsAndAudit(() => ctx.storage);
    describeBadInput(() => ctx.storage);
    describeAnalytics(() => ctx.storage);
  });
}
