import { ManualClock } from '@anvil/runtime';
import { createStorage, LeaseHeldError, type Storage } from '@anvil/storage';
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

function replica(holder: string, clock = new ManualClock(), ttlMs = TTL) {
  const lost: Array<[string, string]> = [];
  const ownership = new WorldOwnership({
    leases: storage.leases,
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
});
