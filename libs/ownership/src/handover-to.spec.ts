import { createStorage, LeaseHeldError, type LeaseRepository, type Storage } from '@anvil/storage';
import { TakeoverLoop } from './takeover-loop';
import { WorldOwnership } from './world-ownership';

// A world handed to a named replica (a drain's plan, a rebalance's target), on a real embedded
// storage: its notification reaches every replica, and only the named one takes the world.

const ROLE = 'physics';

describe('a world handed to a named replica', () => {
  let storage: Storage;
  const loops: TakeoverLoop[] = [];
  beforeEach(async () => {
    storage = await createStorage({ url: 'pglite://memory' });
    await storage.migrate();
  });
  afterEach(async () => {
    await Promise.all(loops.splice(0).map((loop) => loop.stop()));
    await storage.close();
  });

  /** Who took which world, by replica. */
  const taken: Array<[string, string]> = [];
  beforeEach(() => (taken.length = 0));

  const ownership = (holder: string) =>
    new WorldOwnership({
      leases: storage.leases,
      holder,
      address: () => `${holder}:1`,
      ttlMs: 60_000,
      renewEveryMs: 10_000,
      role: ROLE,
    });

  /** A replica's loop, with `worlds` of room `maxWorlds`; its takeovers take the lease for real. */
  async function replica(
    replicaId: string,
    worlds: number,
    options: { maxWorlds?: number; leases?: LeaseRepository } = {},
  ) {
    const own = ownership(replicaId);
    const loop = new TakeoverLoop({
      leases: options.leases ?? storage.leases,
      replicas: storage.replicas,
      replicaId,
      address: () => `${replicaId}:1`,
      // Rounds on their own come once a minute: within a test only a notification starts one.
      everyMs: 60_000,
      ttlMs: 60_000,
      role: ROLE,
      capacity: () => ({ worlds, bodies: 0, maxWorlds: options.maxWorlds ?? 10, maxBodies: 1_000 }),
      takeOver: async (worldId) => {
        await own.acquire(worldId);
        taken.push([worldId, replicaId]);
      },
      onError: (error) => {
        if (!(error instanceof LeaseHeldError)) throw error;
      },
    });
    loops.push(loop);
    loop.start();
    await until(async () =>
      (await storage.replicas.live(ROLE)).some((r) => r.replicaId === replicaId),
    );
    // Its listener is up once a handover it was not named in reaches it; the first round ran.
    await new Promise((resolve) => setTimeout(resolve, 50));
    return own;
  }

  async function handOver(worldId: string, to: string) {
    const holder = ownership('a');
    await holder.acquire(worldId, { arena: worldId });
    await holder.release(worldId, false, { tick: 3 }, to);
  }

  it('is taken by that replica, not by a less loaded one', async () => {
    await replica('b', 5);
    await replica('c', 0);
    await handOver('w1', 'b');
    await until(() => taken.length > 0);
    // A stranded round would have come by now had the plan given it to c.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(taken).toEqual([['w1', 'b']]);
    expect((await storage.leases.get('w1', ROLE))?.holder).toBe('b');
  });

  it('is taken on the notification alone, with no round seeing it', async () => {
    // b's rounds see no orphans at all: only being told can bring the world here.
    const blind = Object.create(storage.leases, {
      orphans: { value: async () => [] },
    }) as LeaseRepository;
    await replica('b', 0, { leases: blind });
    await handOver('w1', 'b');
    await until(() => taken.length > 0);
    expect(taken).toEqual([['w1', 'b']]);
    const lease = await storage.leases.get('w1', ROLE);
    expect(lease).toMatchObject({ holder: 'b', epoch: 2, spec: { arena: 'w1' } });
  });

  it('goes to another replica when the named one has no room', async () => {
    await replica('b', 10, { maxWorlds: 10 });
    await replica('c', 3);
    await handOver('w1', 'b');
    await until(() => taken.length > 0);
    expect(taken).toEqual([['w1', 'c']]);
  });
});

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
