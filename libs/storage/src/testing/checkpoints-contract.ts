import { ConflictError, NotFoundError } from '../errors';
import type { Storage } from '../storage';
import { aWorld, uid } from './fixtures';

/** Checkpoints: bytes round-trip, tick order, idempotent saves, retention. */
export function describeCheckpoints(storage: () => Storage): void {
  describe('checkpoints', () => {
    const save = (
      worldId: string,
      shard: number,
      tick: number,
      state = new Uint8Array([tick % 256]),
    ) =>
      storage().checkpoints.save({
        worldId,
        shard,
        tick,
        stateHash: `hash-${shard}-${tick}`,
        state,
      });

    it('round-trips the state bytes exactly', async () => {
      const world = await storage().worlds.upsert(aWorld());
      const state = new Uint8Array(70_000).map((_, i) => (i * 7919) % 256); // every byte value, NULs included
      const saved = await save(world.id, 1, Number.MAX_SAFE_INTEGER, state);
      expect(saved).toEqual({
        worldId: world.id,
        shard: 1,
        tick: Number.MAX_SAFE_INTEGER,
        stateHash: `hash-1-${Number.MAX_SAFE_INTEGER}`,
        state,
        logSeq: 0,
        epoch: 0,
        logAppendedAt: null,
        createdAt: expect.any(Date),
      });
      const latest = await storage().checkpoints.latest(world.id, 1);
      expect(latest).toEqual(saved);
      expect(latest?.state).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(latest!.state).equals(Buffer.from(state))).toBe(true);
    });

    it('keeps the command-log position a checkpoint includes', async () => {
      const world = await storage().worlds.upsert(aWorld());
      const saved = await storage().checkpoints.save({
        worldId: world.id,
        shard: 0,
        tick: 40,
        stateHash: 'hash-0-40',
        state: new Uint8Array([1]),
        logSeq: Number.MAX_SAFE_INTEGER,
        logAppendedAt: new Date('2026-12-01T10:00:00.123Z'),
      });
      const position = {
        logSeq: Number.MAX_SAFE_INTEGER,
        logAppendedAt: new Date('2026-12-01T10:00:00.123Z'),
      };
      expect(saved).toMatchObject(position);
      expect(await storage().checkpoints.latest(world.id, 0)).toMatchObject(position);
      expect((await storage().checkpoints.list(world.id, 0))[0]).toMatchObject({
        tick: 40,
        ...position,
      });
      await expect(
        storage().checkpoints.save({
          worldId: world.id,
          shard: 0,
          tick: 41,
          stateHash: 'h',
          state: new Uint8Array([1]),
          logSeq: -1,
        }),
      ).rejects.toMatchObject({ name: 'InvalidInputError', field: 'logSeq' });
    });

    it('orders by tick whatever the order of saving', async () => {
      const world = await storage().worlds.upsert(aWorld());
      for (const tick of [30, 10, 20]) await save(world.id, 0, tick);
      await save(world.id, 1, 25);
      expect((await storage().checkpoints.list(world.id, 0)).map((c) => c.tick)).toEqual([
        30, 20, 10,
      ]);
      expect(
        (await storage().checkpoints.list(world.id, 0, { limit: 2 })).map((c) => c.tick),
      ).toEqual([30, 20]);
      expect(await storage().checkpoints.latest(world.id, 0)).toMatchObject({
        tick: 30,
        state: new Uint8Array([30]),
      });
      expect(await storage().checkpoints.latest(world.id)).toMatchObject({
        shard: 0,
        tick: 30,
      });
      const perShard = await storage().checkpoints.latestPerShard(world.id);
      expect(perShard.map((c) => [c.shard, c.tick])).toEqual([
        [0, 30],
        [1, 25],
      ]);
    });

    it('treats saving the same checkpoint twice as one save, and different state at a tick as a conflict', async () => {
      const world = await storage().worlds.upsert(aWorld());
      const first = await save(world.id, 0, 5);
      expect(await save(world.id, 0, 5)).toEqual(first);
      await expect(save(world.id, 0, 5, new Uint8Array([9, 9]))).rejects.toBeInstanceOf(
        ConflictError,
      );
      expect(await storage().checkpoints.list(world.id, 0)).toHaveLength(1);
    });

    it('needs an existing world and a shard inside it', async () => {
      await expect(save(uid('missing'), 0, 1)).rejects.toBeInstanceOf(NotFoundError);
      const world = await storage().worlds.upsert(aWorld({ shards: 2 }));
      await expect(save(world.id, 2, 1)).rejects.toMatchObject({
        name: 'InvalidInputError',
        field: 'shard',
      });
    });

    it('prunes to the newest N per shard', async () => {
      const world = await storage().worlds.upsert(aWorld());
      for (let tick = 1; tick <= 6; tick++) await save(world.id, 0, tick);
      for (let tick = 1; tick <= 3; tick++) await save(world.id, 1, tick * 10);
      expect(await storage().checkpoints.prune(world.id, 4, 0)).toBe(2);
      expect((await storage().checkpoints.list(world.id, 0)).map((c) => c.tick)).toEqual([
        6, 5, 4, 3,
      ]);
      expect(await storage().checkpoints.prune(world.id, 2)).toBe(3);
      expect((await storage().checkpoints.list(world.id, 0)).map((c) => c.tick)).toEqual([6, 5]);
      expect((await storage().checkpoints.list(world.id, 1)).map((c) => c.tick)).toEqual([30, 20]);
      expect(await storage().checkpoints.prune(world.id, 2)).toBe(0);
    });
  });
}
