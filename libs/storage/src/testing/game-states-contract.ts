import { createHash } from 'node:crypto';

import type { GameStateInput } from '../domain';
import { FencedError, InvalidInputError, StorageErrorCode } from '../errors';
import { MAX_GAME_STATE_BYTES } from '../repositories/game-states.repository';
import type { Storage } from '../storage';
import { aWorld, uid } from './fixtures';

const ROLE = 'game:tag-game@1.0.0';
const LONG = 600_000;

/** The SHA-256 of `state` in lower-case hex, as a game state's `stateHash` must be. */
export const sha256Hex = (state: Uint8Array) => createHash('sha256').update(state).digest('hex');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Game modules' rules state: round trip, fencing by the lease, races with takeovers, input. */
export function describeGameStates(storage: () => Storage): void {
  describe('game states', () => {
    const acquire = (worldId: string, holder: string, ttlMs = LONG) =>
      storage().leases.acquire({ worldId, role: ROLE, holder, address: `${holder}:50051`, ttlMs });
    const input = (
      worldId: string,
      holder: string,
      epoch: number,
      state: Uint8Array = new Uint8Array([epoch]),
    ): GameStateInput => ({
      worldId,
      role: ROLE,
      holder,
      epoch,
      state,
      stateHash: sha256Hex(state),
    });
    const save = (...args: Parameters<typeof input>) => storage().gameStates.save(input(...args));
    const get = (worldId: string) => storage().gameStates.get(worldId, ROLE);
    /** A world whose lease `a` held at epoch 1 and that expired: anyone may take it now. */
    const expiredLease = async () => {
      const worldId = uid('gs');
      await acquire(worldId, 'a', 1);
      await sleep(20);
      return worldId;
    };

    it('round-trips the state bytes exactly and counts the saves', async () => {
      const worldId = uid('gs');
      await acquire(worldId, 'a');
      const state = new Uint8Array(70_000).map((_, i) => (i * 7919) % 256); // NULs included
      const saved = await save(worldId, 'a', 1, state);
      expect(saved).toEqual({
        worldId,
        role: ROLE,
        epoch: 1,
        state,
        stateHash: sha256Hex(state),
        version: 1,
        updatedAt: expect.any(Date),
      });
      const read = await get(worldId);
      expect(read).toEqual(saved);
      expect(read?.state).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(read!.state).equals(Buffer.from(state))).toBe(true);

      const next = Buffer.from('{"it":"bob"}'); // a Buffer is accepted too
      expect(await save(worldId, 'a', 1, next)).toMatchObject({ version: 2, epoch: 1 });
      expect(await get(worldId)).toMatchObject({
        version: 2,
        state: new Uint8Array(next),
        stateHash: sha256Hex(next),
      });
      expect(await storage().gameStates.get(worldId, 'game:other@1.0.0')).toBeNull();
      expect(await get(uid('never'))).toBeNull();
    });

    it('takes an empty state and one of exactly 1 MiB', async () => {
      const worldId = uid('gs');
      await acquire(worldId, 'a');
      expect(await save(worldId, 'a', 1, new Uint8Array(0))).toMatchObject({ version: 1 });
      expect((await get(worldId))?.state).toEqual(new Uint8Array(0));
      const full = new Uint8Array(MAX_GAME_STATE_BYTES).fill(7);
      expect(await save(worldId, 'a', 1, full)).toMatchObject({ version: 2 });
      expect((await get(worldId))?.state.byteLength).toBe(MAX_GAME_STATE_BYTES);
    });

    it("refuses an older epoch's save after the lease moved on and keeps the newer state", async () => {
      const worldId = await expiredLease();
      await save(worldId, 'a', 1, new Uint8Array([1]));
      expect(await acquire(worldId, 'b')).toMatchObject({ epoch: 2 });
      const newer = await save(worldId, 'b', 2, new Uint8Array([2]));
      const stale = save(worldId, 'a', 1, new Uint8Array([3]));
      await expect(stale).rejects.toBeInstanceOf(FencedError);
      await expect(stale).rejects.toMatchObject({
        code: StorageErrorCode.Fenced,
        worldId,
        role: ROLE,
        epoch: 1,
        currentEpoch: 2,
        holder: 'a',
        currentHolder: 'b',
      });
      // The new holder with the old epoch is fenced too: the epoch must be the lease's.
      await expect(save(worldId, 'b', 1, new Uint8Array([4]))).rejects.toBeInstanceOf(FencedError);
      expect(await get(worldId)).toEqual(newer);
    });

    it("refuses a save by a holder that is not the lease's, even at the lease's epoch", async () => {
      const worldId = uid('gs');
      await acquire(worldId, 'a');
      const intruder = save(worldId, 'b', 1);
      await expect(intruder).rejects.toBeInstanceOf(FencedError);
      await expect(intruder).rejects.toMatchObject({
        epoch: 1,
        currentEpoch: 1,
        holder: 'b',
        currentHolder: 'a',
        message: expect.stringContaining('held by a'),
      });
      expect(await get(worldId)).toBeNull();
    });

    it('refuses a save for a world that has no lease of the role', async () => {
      const worldId = uid('gs');
      await expect(save(worldId, 'a', 1)).rejects.toMatchObject({
        name: 'FencedError',
        code: 'STORAGE_FENCED',
        currentEpoch: null,
        currentHolder: null,
      });
      // A lease of another role does not count.
      await storage().leases.acquire({
        worldId,
        role: 'physics',
        holder: 'a',
        address: 'a:1',
        ttlMs: LONG,
      });
      await expect(save(worldId, 'a', 1)).rejects.toBeInstanceOf(FencedError);
      expect(await get(worldId)).toBeNull();
    });

    it('accepts the holder at its epoch until someone takes the lease, expired or released', async () => {
      const worldId = await expiredLease();
      expect(await save(worldId, 'a', 1)).toMatchObject({ epoch: 1, version: 1 });
      const released = uid('gs');
      await acquire(released, 'a');
      expect(await storage().leases.release(released, ROLE, 'a', 1)).toBe(true);
      expect(await save(released, 'a', 1)).toMatchObject({ epoch: 1 });
    });

    it('orders a save racing a takeover one way or the other: the new holder reads what stays', async () => {
      const orderings = { saveFirst: 0, takeoverFirst: 0 };
      for (let round = 0; round < 8; round++) {
        const worldId = await expiredLease();
        const before = await save(worldId, 'a', 1, new Uint8Array([0]));
        const [saved, taken] = await Promise.allSettled([
          save(worldId, 'a', 1, new Uint8Array([1, round])),
          acquire(worldId, 'b').then(async (lease) => ({ lease, seen: await get(worldId) })),
        ]);
        if (taken.status === 'rejected') throw taken.reason;
        expect(taken.value.lease).toMatchObject({ holder: 'b', epoch: 2 });
        if (saved.status === 'fulfilled') {
          orderings.saveFirst++;
          // Committed before the acquisition, which waited for it: the new holder saw it.
          expect(saved.value).toMatchObject({ epoch: 1, version: 2 });
          expect(taken.value.seen).toEqual(saved.value);
        } else {
          orderings.takeoverFirst++;
          expect(saved.reason).toBeInstanceOf(FencedError);
          expect(saved.reason).toMatchObject({ epoch: 1, currentEpoch: 2 });
          expect(taken.value.seen).toEqual(before);
        }
        // Whatever the order, the old holder's later saves are fenced, and the new holder's
        // read is what stays stored.
        await expect(save(worldId, 'a', 1, new Uint8Array([9]))).rejects.toBeInstanceOf(
          FencedError,
        );
        expect(await get(worldId)).toEqual(taken.value.seen);
      }
      expect(orderings.saveFirst + orderings.takeoverFirst).toBe(8);
    }, 60_000);

    it('goes with its world: worlds.delete removes it, and so does gameStates.delete', async () => {
      const world = await storage().worlds.upsert(aWorld());
      await acquire(world.id, 'a');
      await save(world.id, 'a', 1);
      expect(await storage().worlds.delete(world.id)).toBe(true);
      expect(await get(world.id)).toBeNull();

      const worldId = uid('gs');
      await acquire(worldId, 'a');
      await save(worldId, 'a', 1);
      const other = 'game:interaction@2.0.0';
      await storage().leases.acquire({
        worldId,
        role: other,
        holder: 'a',
        address: 'a:1',
        ttlMs: LONG,
      });
      await storage().gameStates.save({ ...input(worldId, 'a', 1), role: other });
      expect(await storage().gameStates.delete(worldId)).toBe(2);
      expect(await get(worldId)).toBeNull();
      expect(await storage().gameStates.get(worldId, other)).toBeNull();
      expect(await storage().gameStates.delete(worldId)).toBe(0);
    });

    const oversized = new Uint8Array(MAX_GAME_STATE_BYTES + 1);
    const cases: Array<[string, Partial<GameStateInput>, string, string]> = [
      [
        'a state over 1 MiB',
        { state: oversized, stateHash: sha256Hex(oversized) },
        'state',
        `at most ${MAX_GAME_STATE_BYTES} bytes`,
      ],
      [
        'a state that is not bytes',
        { state: 'abc' as unknown as Uint8Array },
        'state',
        'Uint8Array',
      ],
      [
        'a hash of other bytes',
        { stateHash: sha256Hex(new Uint8Array([42])) },
        'stateHash',
        'not the SHA-256',
      ],
      ['a hash that is not hex', { stateHash: 'h' }, 'stateHash', '64 lower-case hex'],
      [
        'an upper-case hash',
        { stateHash: sha256Hex(new Uint8Array([1])).toUpperCase() },
        'stateHash',
        'hex',
      ],
      ['epoch 0', { epoch: 0 }, 'epoch', 'between 1 and'],
      ['a fractional epoch', { epoch: 1.5 }, 'epoch', 'safe integer'],
      ['an empty world id', { worldId: '' }, 'worldId', 'must not be empty'],
      ['a world id that is too long', { worldId: 'w'.repeat(257) }, 'worldId', 'at most 256'],
      ['an empty role', { role: '' }, 'role', 'must not be empty'],
      ['a blank holder', { holder: '  ' }, 'holder', 'must not be empty'],
    ];

    it.each(cases)('refuses %s before touching the database', async (_label, bad, field, says) => {
      const worldId = uid('gs');
      await acquire(worldId, 'a');
      const error = await storage()
        .gameStates.save({ ...input(worldId, 'a', 1, new Uint8Array([1])), ...bad })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error).toMatchObject({ code: StorageErrorCode.InvalidInput, field });
      expect((error as Error).message).toContain(says);
      expect(await get(worldId)).toBeNull();
    });

    it('refuses bad ids on reads and deletes', async () => {
      await expect(storage().gameStates.get('', ROLE)).rejects.toMatchObject({ field: 'worldId' });
      await expect(storage().gameStates.get('w', 'a\u0000b')).rejects.toMatchObject({
        field: 'role',
      });
      await expect(storage().gameStates.delete('  ')).rejects.toMatchObject({
        code: 'STORAGE_INVALID_INPUT',
        field: 'worldId',
      });
    });
  });
}
