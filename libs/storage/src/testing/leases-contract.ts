import fc from 'fast-check';

import type { GameState } from '../domain';
import { FencedError, LeaseHeldError } from '../errors';
import type { Storage } from '../storage';
import type { HandedTo } from '../repositories/leases.repository';
import { aWorld, uid } from './fixtures';
import { sha256Hex } from './game-states-contract';

const ROLE = 'physics';
const LONG = 600_000;

/** Resolves once `done()` holds; fails after 10 s. */
async function until(done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`not done within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** World leases: epochs, expiry on the database clock, renewal, release and fenced checkpoints. */
export function describeLeases(storage: () => Storage): void {
  describe('world leases', () => {
    const acquire = (worldId: string, holder: string, ttlMs = LONG) =>
      storage().leases.acquire({ worldId, role: ROLE, holder, address: `${holder}:50051`, ttlMs });

    it('gives a new lease epoch 1 and reads it back', async () => {
      const worldId = uid('w');
      const lease = await acquire(worldId, 'a');
      expect(lease).toEqual({
        worldId,
        role: ROLE,
        holder: 'a',
        address: 'a:50051',
        epoch: 1,
        acquiredAt: expect.any(Date),
        expiresAt: expect.any(Date),
        expired: false,
        released: false,
        spec: {},
        handover: null,
        stateFormat: 1,
      });
      expect(lease.expiresAt.getTime() - lease.acquiredAt.getTime()).toBe(LONG);
      expect(await storage().leases.get(worldId, ROLE)).toEqual(lease);
      expect(await storage().leases.get(worldId, 'interaction')).toBeNull();
    });

    it("goes with its world: a deleted world's lease is neither renewed nor an orphan", async () => {
      const worldId = uid('w');
      await storage().worlds.upsert({
        id: worldId,
        namespace: 'ns',
        name: worldId,
        game: 'g',
        region: 'r',
        shards: 1,
        phase: 'Ready',
      });
      const { epoch } = await acquire(worldId, 'a', 1);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect((await storage().leases.orphans(ROLE, 1000)).map((o) => o.worldId)).toContain(worldId);
      expect(await storage().worlds.delete(worldId)).toBe(true);
      expect(await storage().leases.get(worldId, ROLE)).toBeNull();
      expect((await storage().leases.orphans(ROLE, 1000)).map((o) => o.worldId)).not.toContain(
        worldId,
      );
      expect(await storage().leases.renew(ROLE, 'a', [{ worldId, epoch }], LONG)).toEqual(
        new Map(),
      );
    });

    it("refuses another holder's live lease, naming the holder", async () => {
      const worldId = uid('w');
      await acquire(worldId, 'a');
      const refused = acquire(worldId, 'b');
      await expect(refused).rejects.toBeInstanceOf(LeaseHeldError);
      await expect(refused).rejects.toMatchObject({
        code: 'STORAGE_LEASE_HELD',
        lease: { holder: 'a', address: 'a:50051', epoch: 1 },
      });
    });

    it('hands an expired lease to the next holder with the next epoch', async () => {
      const worldId = uid('w');
      await acquire(worldId, 'a', 1);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await storage().leases.get(worldId, ROLE)).toMatchObject({ expired: true });
      expect(await acquire(worldId, 'b')).toMatchObject({ holder: 'b', epoch: 2, expired: false });
    });

    it('gives its own holder a new epoch when it acquires again', async () => {
      const worldId = uid('w');
      await acquire(worldId, 'a');
      expect((await acquire(worldId, 'a')).epoch).toBe(2);
    });

    it('renews only the leases still at the epoch their holder has', async () => {
      const [kept, taken, released] = [uid('w'), uid('w'), uid('w')];
      const first = await acquire(kept, 'a', 1_000);
      await acquire(taken, 'a', 1);
      await acquire(released, 'a');
      await new Promise((resolve) => setTimeout(resolve, 20));
      await acquire(taken, 'b');
      const renewed = await storage().leases.renew(
        ROLE,
        'a',
        [
          { worldId: kept, epoch: 1 },
          { worldId: taken, epoch: 1 },
          { worldId: released, epoch: 7 },
        ],
        LONG,
      );
      expect([...renewed.keys()]).toEqual([kept]);
      expect(renewed.get(kept)!.getTime()).toBeGreaterThan(first.expiresAt.getTime());
      expect(await storage().leases.renew(ROLE, 'a', [], LONG)).toEqual(new Map());
    });

    it('releases a lease so another holder takes it at once, with a higher epoch', async () => {
      const worldId = uid('w');
      await acquire(worldId, 'a');
      expect(await storage().leases.release(worldId, ROLE, 'b', 1)).toBe(false);
      expect(await storage().leases.release(worldId, ROLE, 'a', 1)).toBe(true);
      expect(await storage().leases.release(worldId, ROLE, 'a', 1)).toBe(false);
      expect(await acquire(worldId, 'b')).toMatchObject({ holder: 'b', epoch: 2 });
    });

    it('does not bring a released lease back at a renewal that was on its way', async () => {
      const [orphaned, closed] = [uid('w'), uid('w')];
      await acquire(orphaned, 'a');
      await acquire(closed, 'a');
      const { leases } = storage();
      expect(await leases.release(orphaned, ROLE, 'a', 1, false, { tick: 3 })).toBe(true);
      expect(await leases.release(closed, ROLE, 'a', 1)).toBe(true);
      const late = [
        { worldId: orphaned, epoch: 1 },
        { worldId: closed, epoch: 1 },
      ];
      expect(await leases.renew(ROLE, 'a', late, LONG)).toEqual(new Map());
      expect(await leases.get(orphaned, ROLE)).toMatchObject({ expired: true, released: false });
      expect((await leases.orphans(ROLE, 1000)).map((o) => o.worldId)).toContain(orphaned);
      // Taken again, it renews as any lease does.
      expect(await acquire(orphaned, 'a')).toMatchObject({ epoch: 2 });
      expect([
        ...(await leases.renew(ROLE, 'a', [{ worldId: orphaned, epoch: 2 }], LONG)).keys(),
      ]).toEqual([orphaned]);
    });

    it('answers releases made together as it answers each one alone', async () => {
      const [closed, handedOver, orphaned, twice, staleEpoch, others] = [1, 2, 3, 4, 5, 6].map(() =>
        uid('w'),
      );
      for (const worldId of [closed, handedOver, orphaned, twice, staleEpoch])
        await acquire(worldId, 'a');
      await acquire(others, 'b');
      const stopped = { tick: 9 };
      const { leases } = storage();
      // Made in one go, while the first one's statement is on its way: the rest go together.
      const answers = await Promise.all([
        leases.release(closed, ROLE, 'a', 1),
        leases.release(handedOver, ROLE, 'a', 1, false, stopped),
        leases.release(orphaned, ROLE, 'a', 1, false),
        leases.release(twice, ROLE, 'a', 1, false),
        leases.release(twice, ROLE, 'a', 1, false),
        leases.release(staleEpoch, ROLE, 'a', 2, false),
        leases.release(others, ROLE, 'a', 1, false),
      ]);
      expect(answers).toEqual([true, true, true, true, false, false, false]);
      expect(await leases.get(closed, ROLE)).toMatchObject({ released: true, expired: true });
      expect(await leases.get(handedOver, ROLE)).toMatchObject({
        released: false,
        expired: true,
        handover: { epoch: 1, state: stopped },
      });
      expect(await leases.get(orphaned, ROLE)).toMatchObject({ expired: true, handover: null });
      expect(await leases.get(staleEpoch, ROLE)).toMatchObject({ expired: false });
      expect(await leases.get(others, ROLE)).toMatchObject({ holder: 'b', expired: false });
      const orphans = (await leases.orphans(ROLE, 1000)).map((o) => o.worldId);
      expect([handedOver, orphaned, twice].every((w) => orphans.includes(w))).toBe(true);
      expect(orphans).not.toContain(closed);
    });

    it('hands where its holder stopped to the next holder, and forgets it at a release without one', async () => {
      const worldId = uid('w');
      await acquire(worldId, 'a');
      const stopped = { tick: 120, logSeq: 7 };
      expect(await storage().leases.release(worldId, ROLE, 'a', 1, false, stopped)).toBe(true);
      expect(await storage().leases.get(worldId, ROLE)).toMatchObject({
        released: false,
        handover: { epoch: 1, state: stopped },
      });
      const next = await acquire(worldId, 'b');
      expect(next).toMatchObject({ epoch: 2, handover: { epoch: 1, state: stopped } });
      // Its renewals keep it; a release that records nothing clears it.
      await storage().leases.renew(ROLE, 'b', [{ worldId, epoch: 2 }], LONG);
      expect((await storage().leases.get(worldId, ROLE))?.handover).toEqual({
        epoch: 1,
        state: stopped,
      });
      expect(await storage().leases.release(worldId, ROLE, 'b', 2, false)).toBe(true);
      expect((await acquire(worldId, 'c')).handover).toBeNull();
      // Only the holder at its epoch records one; it must be a JSON object.
      expect(await storage().leases.release(worldId, ROLE, 'a', 1, false, stopped)).toBe(false);
      await expect(
        storage().leases.release(
          worldId,
          ROLE,
          'c',
          3,
          false,
          [] as unknown as Record<string, unknown>,
        ),
      ).rejects.toMatchObject({ field: 'handover' });
      expect((await storage().leases.get(worldId, ROLE))?.handover).toBeNull();
    });

    it('lets exactly one of many racing holders acquire a free world', async () => {
      const worldId = uid('w');
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => acquire(worldId, `h${i}`)),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const r of results)
        if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(LeaseHeldError);
    });

    it('records the world spec at acquisition and keeps it when a taker gives none', async () => {
      const worldId = uid('w');
      const spec = { settings: { widthMm: 40_000, maxBodies: 50 }, caller: 'x' };
      const first = await storage().leases.acquire({
        worldId,
        role: ROLE,
        holder: 'a',
        address: 'a:1',
        ttlMs: LONG,
        spec,
      });
      expect(first.spec).toEqual(spec);
      expect((await acquire(worldId, 'a')).spec).toEqual(spec);
      await expect(
        storage().leases.acquire({
          worldId,
          role: ROLE,
          holder: 'a',
          address: 'a:1',
          ttlMs: LONG,
          spec: [] as unknown as Record<string, unknown>,
        }),
      ).rejects.toMatchObject({ field: 'spec' });
    });

    it('records the newest state format any of its holders writes', async () => {
      const worldId = uid('w');
      const take = (holder: string, stateFormat?: number) =>
        storage().leases.acquire({
          worldId,
          role: ROLE,
          holder,
          address: `${holder}:1`,
          ttlMs: 1,
          stateFormat,
        });
      expect((await take('a', 2)).stateFormat).toBe(2);
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(
        (await storage().leases.orphans(ROLE, 10_000)).find((l) => l.worldId === worldId),
      ).toMatchObject({ stateFormat: 2 });
      expect((await take('b', 3)).stateFormat).toBe(3);
      await new Promise((resolve) => setTimeout(resolve, 5));
      // An older build that took it (and will refuse its state) does not make it look older.
      expect((await take('c')).stateFormat).toBe(3);
      for (const bad of [0, 1.5, '2', 1_000_001])
        await expect(take('d', bad as number)).rejects.toMatchObject({ field: 'stateFormat' });
    });

    it('lists as orphans the expired leases not released on purpose, and only those', async () => {
      const [dead, closed, drained, live] = [uid('o'), uid('o'), uid('o'), uid('o')];
      await acquire(dead, 'a', 1);
      await acquire(closed, 'a');
      await acquire(drained, 'a');
      await acquire(live, 'a');
      await storage().leases.release(closed, ROLE, 'a', 1);
      await storage().leases.release(drained, ROLE, 'a', 1, false);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const orphans = (await storage().leases.orphans(ROLE, 10_000)).map((l) => l.worldId);
      expect(orphans).toEqual(expect.arrayContaining([dead, drained]));
      expect(orphans).not.toContain(closed);
      expect(orphans).not.toContain(live);
      expect(await storage().leases.get(closed, ROLE)).toMatchObject({ released: true });
      // Taking a released world again makes it an ordinary lease.
      expect(await acquire(closed, 'b')).toMatchObject({ epoch: 2, released: false });
    });

    it('tells how long until the next live lease of a role ends, on the database clock', async () => {
      const role = uid('role');
      const take = (worldId: string, ttlMs: number) =>
        storage().leases.acquire({ worldId, role, holder: 'a', address: 'a:1', ttlMs });
      expect(await storage().leases.nextExpiryMs(role)).toBeNull();
      await take(uid('w'), LONG);
      const soon = uid('w');
      await take(soon, 60_000);
      const ms = await storage().leases.nextExpiryMs(role);
      expect(ms).toBeGreaterThan(50_000); // the nearer one, minus this test's time
      expect(ms).toBeLessThanOrEqual(60_000);
      // Released and expired leases are not waited for: only the LONG one is left.
      await storage().leases.release(soon, role, 'a', 1, false);
      await take(uid('w'), 1);
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(await storage().leases.nextExpiryMs(role)).toBeGreaterThan(60_000);
      await expect(storage().leases.nextExpiryMs('')).rejects.toMatchObject({ field: 'role' });
    });

    it('tells the listeners of a role when one of its leases is released as an orphan, and only then', async () => {
      const role = uid('role');
      const take = (worldId: string, ofRole = role) =>
        storage().leases.acquire({
          worldId,
          role: ofRole,
          holder: 'a',
          address: 'a:1',
          ttlMs: LONG,
        });
      const heard = { first: 0, second: 0 };
      const unlistenFirst = await storage().leases.onOrphaned(role, () => heard.first++);
      const unlistenSecond = await storage().leases.onOrphaned(role, () => heard.second++);
      const [closed, otherRole, handedOver, later] = [uid('w'), uid('w'), uid('w'), uid('w')];
      await take(closed);
      await take(otherRole, `${role}-other`);
      await take(handedOver);
      await take(later);
      await storage().leases.release(closed, role, 'a', 1); // closed on purpose: nobody takes it
      await storage().leases.release(otherRole, `${role}-other`, 'a', 1, false);
      await storage().leases.release(handedOver, role, 'a', 1, false, { tick: 1 });
      // Notifications arrive in commit order: once the last one is heard, so are the others.
      await until(() => heard.first === 1 && heard.second === 1);
      await unlistenFirst();
      await storage().leases.release(later, role, 'a', 1, false);
      await until(() => heard.second === 2);
      expect(heard).toEqual({ first: 1, second: 2 });
      await unlistenSecond();
      await expect(storage().leases.onOrphaned('', () => undefined)).rejects.toMatchObject({
        field: 'role',
      });
    });

    it('tells the listeners which replica a world was handed to, and records it with the handover', async () => {
      const role = uid('role');
      const [handed, plain] = [uid('w'), uid('w')];
      for (const worldId of [handed, plain])
        await storage().leases.acquire({ worldId, role, holder: 'a', address: 'a:1', ttlMs: LONG });
      const heard: Array<HandedTo | undefined> = [];
      const unlisten = await storage().leases.onOrphaned(role, (to) => heard.push(to));
      await storage().leases.release(handed, role, 'a', 1, false, { tick: 7 }, 'b');
      await storage().leases.release(plain, role, 'a', 1, false, { tick: 8 });
      // One wake-up per statement, and the named taker's own notification.
      await until(() => heard.length === 3);
      expect(heard).toEqual(
        expect.arrayContaining([undefined, undefined, { worldId: handed, to: 'b' }]),
      );
      await unlisten();
      const orphans = await storage().leases.orphans(role);
      expect(orphans.find((o) => o.worldId === handed)?.handover).toEqual({
        epoch: 1,
        state: { tick: 7 },
        to: 'b',
      });
      expect(orphans.find((o) => o.worldId === plain)?.handover).toEqual({
        epoch: 1,
        state: { tick: 8 },
      });
      // A taker is named only for a handover: not for a closed world, not without a record.
      await expect(
        storage().leases.release(plain, role, 'a', 1, true, { tick: 1 }, 'b'),
      ).rejects.toMatchObject({ field: 'to' });
      await expect(
        storage().leases.release(plain, role, 'a', 1, false, undefined, 'b'),
      ).rejects.toMatchObject({ field: 'to' });
      await expect(
        storage().leases.release(plain, role, 'a', 1, false, { tick: 1 }, ''),
      ).rejects.toMatchObject({ field: 'to' });
    });

    it('keeps replica reports live for their ttl, by id', async () => {
      const role = uid('role');
      const report = {
        role,
        address: 'x:1',
        worlds: 3,
        bodies: 40,
        maxWorlds: 64,
        maxBodies: 20_000,
      };
      await storage().replicas.heartbeat({ ...report, replicaId: 'r2', ttlMs: LONG });
      await storage().replicas.heartbeat({ ...report, replicaId: 'r1', ttlMs: LONG });
      await storage().replicas.heartbeat({ ...report, replicaId: 'r3', ttlMs: 1 });
      await storage().replicas.heartbeat({ ...report, replicaId: 'r1', worlds: 4, ttlMs: LONG });
      await new Promise((resolve) => setTimeout(resolve, 20));
      const live = await storage().replicas.live(role);
      expect(live.map((r) => [r.replicaId, r.worlds])).toEqual([
        ['r1', 4],
        ['r2', 3],
      ]);
      // The newest state format each reads: 1 unless it says.
      expect(live.map((r) => r.stateFormat)).toEqual([1, 1]);
      await storage().replicas.heartbeat({
        ...report,
        replicaId: 'r2',
        stateFormat: 2,
        ttlMs: LONG,
      });
      expect((await storage().replicas.live(role)).map((r) => r.stateFormat)).toEqual([1, 2]);
      // The newest any live one reads (r3's report expired); none live: undefined.
      expect(await storage().replicas.readableFormat(role)).toBe(2);
      expect(await storage().replicas.readableFormat(uid('role'))).toBeUndefined();
      await expect(
        storage().replicas.heartbeat({ ...report, replicaId: 'r2', stateFormat: 0, ttlMs: LONG }),
      ).rejects.toMatchObject({ field: 'stateFormat' });
      await storage().replicas.remove(role, 'r2');
      expect((await storage().replicas.live(role)).map((r) => r.replicaId)).toEqual(['r1']);
      await expect(
        storage().replicas.heartbeat({ ...report, replicaId: 'r1', worlds: -1, ttlMs: LONG }),
      ).rejects.toMatchObject({ field: 'worlds' });
    });

    it("lists a role's leases, of one holder when asked", async () => {
      const [x, y] = [uid('list'), uid('list')];
      await acquire(x, 'lister-a');
      await acquire(y, 'lister-b');
      const mine = await storage().leases.list(ROLE, { holder: 'lister-a' });
      expect(mine.map((l) => l.worldId)).toEqual([x]);
      const all = (await storage().leases.list(ROLE)).map((l) => l.worldId);
      expect(all).toEqual(expect.arrayContaining([x, y]));
    });

    it("finds a world's live leases by role prefix: not released, not expired, highest epoch first", async () => {
      const worldId = uid('live');
      const take = (role: string, holder: string, ttlMs = LONG) =>
        storage().leases.acquire({ worldId, role, holder, address: `${holder}:1`, ttlMs });
      await take('game:arena@1.0.0', 'old');
      await storage().leases.release(worldId, 'game:arena@1.0.0', 'old', 1, false);
      await take('game:arena@1.0.0', 'new');
      await take('game:arena@1.1.0', 'next');
      await take('game:tag@1.0.0', 'gone', 1);
      await acquire(worldId, 'physics-replica');
      await new Promise((resolve) => setTimeout(resolve, 20));
      const live = await storage().leases.liveOf(worldId, 'game:');
      expect(live.map((l) => [l.role, l.holder, l.epoch])).toEqual([
        ['game:arena@1.0.0', 'new', 2],
        ['game:arena@1.1.0', 'next', 1],
      ]);
      expect(await storage().leases.liveOf(worldId, 'game:arena@1.1')).toHaveLength(1);
      expect(await storage().leases.liveOf(uid('none'), 'game:')).toEqual([]);
    });

    it('refuses bad input with the field named', async () => {
      const worldId = uid('w');
      const base = { worldId, role: ROLE, holder: 'a', address: 'a:1', ttlMs: 1000 };
      for (const [bad, field] of [
        [{ ttlMs: 0 }, 'ttlMs'],
        [{ ttlMs: 86_400_001 }, 'ttlMs'],
        [{ ttlMs: 1.5 }, 'ttlMs'],
        [{ holder: '' }, 'holder'],
        [{ address: 'x'.repeat(300) }, 'address'],
        [{ worldId: 'a\u0000b' }, 'worldId'],
      ] as const) {
        await expect(storage().leases.acquire({ ...base, ...bad })).rejects.toMatchObject({
          name: 'InvalidInputError',
          field,
        });
      }
      await expect(
        storage().leases.renew(ROLE, 'a', [{ worldId, epoch: 0 }], 1000),
      ).rejects.toMatchObject({ field: 'epoch' });
      const tooMany = Array.from({ length: 10_001 }, () => ({ worldId, epoch: 1 }));
      await expect(storage().leases.renew(ROLE, 'a', tooMany, 1000)).rejects.toMatchObject({
        field: 'leases',
      });
    });

    describe('fenced checkpoints', () => {
      const save = (worldId: string, tick: number, epoch: number) =>
        storage().checkpoints.save({
          worldId,
          shard: 0,
          tick,
          stateHash: `h${tick}`,
          state: new Uint8Array([tick]),
          lease: { role: ROLE, epoch },
        });

      it('stores a checkpoint written under the current epoch, with that epoch', async () => {
        const world = await storage().worlds.upsert(aWorld());
        await acquire(world.id, 'a');
        expect(await save(world.id, 10, 1)).toMatchObject({ tick: 10, epoch: 1 });
        expect((await storage().checkpoints.list(world.id, 0))[0]).toMatchObject({ epoch: 1 });
      });

      it('refuses a checkpoint of a fenced epoch and writes nothing', async () => {
        const world = await storage().worlds.upsert(aWorld());
        await acquire(world.id, 'a', 1);
        await new Promise((resolve) => setTimeout(resolve, 20));
        await acquire(world.id, 'b');
        const stale = save(world.id, 20, 1);
        await expect(stale).rejects.toBeInstanceOf(FencedError);
        await expect(stale).rejects.toMatchObject({
          code: 'STORAGE_FENCED',
          epoch: 1,
          currentEpoch: 2,
        });
        expect(await storage().checkpoints.latest(world.id, 0)).toBeNull();
        await expect(save(world.id, 20, 3)).rejects.toBeInstanceOf(FencedError);
        expect(await save(world.id, 20, 2)).toMatchObject({ epoch: 2 });
      });

      it('refuses a fenced checkpoint of a world that was never leased', async () => {
        const world = await storage().worlds.upsert(aWorld());
        await expect(save(world.id, 1, 1)).rejects.toMatchObject({
          name: 'FencedError',
          currentEpoch: null,
        });
      });
    });

    it('behaves like the model of a fenced lease under any sequence of operations', async () => {
      // Long leases only, so the outcome does not depend on timing: a lease ends by release.
      const holders = ['a', 'b', 'c'];
      const op = fc.oneof(
        fc.record({ kind: fc.constant('acquire' as const), holder: fc.constantFrom(...holders) }),
        fc.record({
          kind: fc.constantFrom(
            'release' as const,
            'renew' as const,
            'checkpoint' as const,
            'gameState' as const,
          ),
          holder: fc.constantFrom(...holders),
          epoch: fc.integer({ min: 1, max: 6 }),
        }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
          const world = await storage().worlds.upsert(aWorld());
          // given up: released by its holder at this epoch, so no renewal brings it back.
          const model = { holder: '', epoch: 0, live: false, givenUp: false };
          // The game state as the last successful save left it: a refused save changes nothing.
          let lastSaved = null as Pick<GameState, 'epoch' | 'version' | 'state'> | null;
          let tick = 0;
          for (const o of ops) {
            if (o.kind === 'acquire') {
              const free = !model.live || model.holder === o.holder;
              const got = acquire(world.id, o.holder);
              if (free) {
                Object.assign(model, {
                  holder: o.holder,
                  epoch: model.epoch + 1,
                  live: true,
                  givenUp: false,
                });
                expect((await got).epoch).toBe(model.epoch);
              } else {
                await expect(got).rejects.toBeInstanceOf(LeaseHeldError);
              }
            } else if (o.kind === 'release') {
              const mine = model.live && model.holder === o.holder && model.epoch === o.epoch;
              if (mine) Object.assign(model, { live: false, givenUp: true });
              expect(await storage().leases.release(world.id, ROLE, o.holder, o.epoch)).toBe(mine);
            } else if (o.kind === 'renew') {
              const mine = model.holder === o.holder && model.epoch === o.epoch && !model.givenUp;
              if (mine) model.live = true;
              const renewed = await storage().leases.renew(
                ROLE,
                o.holder,
                [{ worldId: world.id, epoch: o.epoch }],
                LONG,
              );
              expect(renewed.has(world.id)).toBe(mine);
            } else if (o.kind === 'gameState') {
              const state = new Uint8Array([++tick % 256, o.epoch]);
              const saving = storage().gameStates.save({
                worldId: world.id,
                role: ROLE,
                holder: o.holder,
                epoch: o.epoch,
                state,
                stateHash: sha256Hex(state),
              });
              // Fenced by holder and epoch alike; expiry and release do not matter.
              if (model.holder === o.holder && model.epoch === o.epoch) {
                lastSaved = { epoch: o.epoch, version: (lastSaved?.version ?? 0) + 1, state };
                expect(await saving).toMatchObject(lastSaved);
              } else {
                await expect(saving).rejects.toBeInstanceOf(FencedError);
              }
              const stored = await storage().gameStates.get(world.id, ROLE);
              if (lastSaved) expect(stored).toMatchObject(lastSaved);
              else expect(stored).toBeNull();
            } else {
              const saved = storage().checkpoints.save({
                worldId: world.id,
                shard: 0,
                tick: ++tick,
                stateHash: 'h',
                state: new Uint8Array([1]),
                lease: { role: ROLE, epoch: o.epoch },
              });
              if (model.epoch === o.epoch) await expect(saved).resolves.toBeDefined();
              else await expect(saved).rejects.toBeInstanceOf(FencedError);
            }
          }
        }),
        { numRuns: 25 },
      );
    }, 120_000);
  });
}
