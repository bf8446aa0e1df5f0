import { ManualClock } from '@anvil/runtime';
import { createStorage, LeaseHeldError, type LeaseRepository, type Storage } from '@anvil/storage';
import { safetyMargin, validUntil } from './lease-validity';
import { PHYSICS_ROLE } from './roles';
import { WorldOwnership } from './world-ownership';

// Real leases in PGlite; this replica's own clock and timers are moved by hand.
let storage: Storage;
beforeAll(async () => {
  storage = await createStorage({ url: 'pglite://memory' });
  await storage.migrate();
}, 180_000);
afterAll(() => storage?.close());

const TTL = 1_000;
let n = 0;
const world = () => `w-${++n}`;

function replica(
  holder: string,
  clock = new ManualClock(),
  ttlMs = TTL,
  leases: LeaseRepository = storage.leases,
) {
  const lost: Array<[string, string]> = [];
  const ownership = new WorldOwnership({
    leases,
    holder,
    address: () => `${holder}:50051`,
    ttlMs,
    renewEveryMs: 300,
    role: PHYSICS_ROLE,
    clock,
    timers: clock,
  });
  ownership.onLost((worldId, reason) => lost.push([worldId, reason]));
  return { ownership, clock, lost };
}

/** Lets the timer's renewal (a real database round trip) finish. */
async function settle(ownership: WorldOwnership): Promise<void> {
  await ownership.renew();
}

describe('lease validity', () => {
  it('ends a margin before the lease would by the time the renewal was sent', () => {
    expect(validUntil(5_000, 1_000)).toBe(5_900);
    expect(safetyMargin(50)).toBe(10);
  });
});

describe('WorldOwnership', () => {
  it('acts on a lease until its validity passes unrenewed, then refuses', async () => {
    const a = replica('a');
    const id = world();
    const lease = await a.ownership.acquire(id);
    expect(lease.epoch).toBe(1);
    expect(a.ownership.refusal(id, 1)).toBeUndefined();
    expect(a.ownership.refusal(id, 2)).toMatch(/no longer owns/);
    await a.ownership.stop(); // no renewals: as if the process had been paused
    a.clock.advance(TTL - safetyMargin(TTL) - 1);
    expect(a.ownership.refusal(id, 1)).toBeUndefined();
    a.clock.advance(1);
    expect(a.ownership.refusal(id, 1)).toMatch(/not renewed in time/);
  });

  it('extends the validity at each renewal', async () => {
    const a = replica('a');
    const id = world();
    await a.ownership.acquire(id);
    a.clock.advance(800);
    await settle(a.ownership);
    a.clock.advance(800);
    expect(a.ownership.refusal(id, 1)).toBeUndefined();
    expect(a.lost).toEqual([]);
    await a.ownership.stop();
  });

  it('reports a world lost when another replica took it after the lease expired', async () => {
    const a = replica('a', new ManualClock(), 50);
    const b = replica('b');
    const id = world();
    await a.ownership.acquire(id);
    await expect(b.ownership.acquire(id)).rejects.toBeInstanceOf(LeaseHeldError);
    await new Promise((resolve) => setTimeout(resolve, 80)); // the database's clock passes it
    expect((await b.ownership.acquire(id)).epoch).toBe(2);
    await settle(a.ownership);
    expect(a.lost).toEqual([[id, 'its lease of epoch 1 was taken or released']]);
    expect(a.ownership.refusal(id, 1)).toMatch(/no longer owns/);
    await Promise.all([a.ownership.stop(), b.ownership.stop()]);
  });

  it('reports a world lost once its validity passed while the store could not be reached', async () => {
    const cut = await createStorage({ url: 'pglite://memory' });
    await cut.migrate();
    const clock = new ManualClock();
    const errors: unknown[] = [];
    const ownership = new WorldOwnership({
      leases: cut.leases,
      holder: 'a',
      address: () => 'a:1',
      ttlMs: TTL,
      renewEveryMs: 300,
      role: PHYSICS_ROLE,
      clock,
      timers: clock,
      onRenewError: (error) => errors.push(error),
    });
    const lost: string[] = [];
    ownership.onLost((id) => lost.push(id));
    const id = world();
    await ownership.acquire(id);
    await cut.close();
    await ownership.renew();
    expect(lost).toEqual([]); // still valid
    clock.advance(TTL);
    await ownership.renew();
    expect(lost).toEqual([id]);
    expect(errors.length).toBeGreaterThan(0);
    await ownership.stop();
  });

  it('renews on its timer and hands a released world to the next replica at once', async () => {
    const a = replica('a');
    const b = replica('b');
    const id = world();
    await a.ownership.acquire(id);
    a.clock.advance(300); // the timer starts a renewal
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await storage.leases.get(id, 'physics'))!.expiresAt.getTime()).toBeGreaterThan(0);
    await a.ownership.release(id);
    expect(a.ownership.list()).toEqual([]);
    expect((await b.ownership.acquire(id)).epoch).toBe(2);
    await Promise.all([a.ownership.stop(), b.ownership.stop()]);
  });

  it('tells the next holder where a handed-over world was left, and only the next one', async () => {
    const [a, b, c] = [replica('a'), replica('b'), replica('c')];
    const id = world();
    await a.ownership.acquire(id);
    expect(await a.ownership.release(id, false, { tick: 60, logSeq: 3 })).toBe(true);
    const taken = await b.ownership.acquire(id);
    expect(taken).toMatchObject({ epoch: 2, handedOver: { tick: 60, logSeq: 3 } });
    // b dies without a handover: c is not told about a's, which b may have written past.
    b.ownership.forget(id);
    await storage.leases.release(id, 'physics', 'b', 2, false);
    expect((await c.ownership.acquire(id)).handedOver).toBeUndefined();
    expect(await a.ownership.release(id, false, { tick: 1 })).toBe(false);
    await Promise.all([a.ownership.stop(), b.ownership.stop(), c.ownership.stop()]);
  });

  describe('a renewal that answers after the validity passed', () => {
    /** The store's leases, with renewals held until `answer()` lets the oldest one through. */
    function lateRenewals() {
      const gates: Array<() => void> = [];
      const leases = Object.assign(Object.create(storage.leases) as LeaseRepository, {
        renew: async (...args: Parameters<LeaseRepository['renew']>) => {
          await new Promise<void>((resolve) => gates.push(resolve));
          return storage.leases.renew(...args);
        },
      });
      const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      const answer = async () => {
        for (let i = 0; i < 100 && gates.length === 0; i++) await tick(10);
        gates.shift()?.();
        await tick(50); // the real round trip
      };
      return { leases, answer, waiting: () => gates.length };
    }

    it('keeps the world, refusing to act on it until a renewal comes in time', async () => {
      const late = lateRenewals();
      const a = replica('a', new ManualClock(), TTL, late.leases);
      const id = world();
      await a.ownership.acquire(id);
      a.clock.advance(300); // the timer sends a renewal, which does not answer
      expect(late.waiting()).toBe(1);
      a.clock.advance(900); // past the validity, the renewal still on its way
      expect(a.ownership.refusal(id, 1)).toMatch(/not renewed in time/);
      expect(a.lost).toEqual([]);
      await late.answer(); // it answers: renewed, but sent too long ago to act on
      expect(a.ownership.refusal(id, 1)).toMatch(/not renewed in time/);
      a.clock.advance(300); // the next renewal, answered at once
      await late.answer();
      expect(a.ownership.refusal(id, 1)).toBeUndefined();
      expect(a.lost).toEqual([]);
      await a.ownership.stop();
    });

    it('loses the world when that renewal does not return it (taken meanwhile)', async () => {
      const late = lateRenewals();
      const a = replica('a', new ManualClock(), 50, late.leases);
      const id = world();
      const acquiring = a.ownership.acquire(id);
      await late.answer(); // a lease this short is renewed at once
      await acquiring;
      a.clock.advance(300);
      await new Promise((resolve) => setTimeout(resolve, 80)); // the database's clock passes it
      await replica('b').ownership.acquire(id);
      await late.answer();
      expect(a.lost).toEqual([[id, 'its lease of epoch 1 was taken or released']]);
      await a.ownership.stop();
    });

    it('loses the world once a renewal has not answered for a whole lease past its validity', async () => {
      const late = lateRenewals();
      const a = replica('a', new ManualClock(), TTL, late.leases);
      const id = world();
      await a.ownership.acquire(id);
      a.clock.advance(300);
      a.clock.advance(TTL - safetyMargin(TTL) - 300 + TTL - 1);
      expect(a.lost).toEqual([]);
      a.clock.advance(300);
      expect(a.lost).toEqual([[id, 'its lease of epoch 1 expired: it could not be renewed']]);
      await late.answer();
      await a.ownership.stop();
    });
  });

  describe('an acquisition that waited (a busy pool)', () => {
    /** The store's leases, with each acquisition taking `waitMs` on the replica's clock. */
    const slowAcquire = (clock: ManualClock, waitMs: number, renew = storage.leases.renew) =>
      Object.assign(Object.create(storage.leases) as LeaseRepository, {
        acquire: async (input: Parameters<LeaseRepository['acquire']>[0]) => {
          const lease = await storage.leases.acquire(input);
          clock.advance(waitMs);
          return lease;
        },
        renew: renew.bind(storage.leases),
      });

    it('is renewed at once, so the world is not lost before the next renewal', async () => {
      const clock = new ManualClock();
      const a = replica('a', clock, TTL, slowAcquire(clock, 700));
      const id = world();
      const lease = await a.ownership.acquire(id);
      expect(lease.validUntil).toBe(validUntil(clock.now(), TTL));
      clock.advance(TTL - safetyMargin(TTL) - 1);
      expect(a.ownership.refusal(id, 1)).toBeUndefined();
      await a.ownership.stop();
    });

    it('is not renewed when enough of it is left', async () => {
      const clock = new ManualClock();
      const a = replica('a', clock, TTL, slowAcquire(clock, 100));
      const lease = await a.ownership.acquire(world());
      expect(lease.validUntil).toBe(validUntil(clock.now() - 100, TTL));
      await a.ownership.stop();
    });

    it('is refused when that renewal does not return it (taken meanwhile)', async () => {
      const clock = new ManualClock();
      const a = replica(
        'a',
        clock,
        TTL,
        slowAcquire(clock, 700, async () => new Map()),
      );
      const id = world();
      await expect(a.ownership.acquire(id)).rejects.toThrow(/lost before it could be renewed/);
      expect(a.ownership.list()).toEqual([]);
      expect(a.lost).toEqual([[id, 'its lease of epoch 1 was taken or released']]);
      await a.ownership.stop();
    });
  });
});
