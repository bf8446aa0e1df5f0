import type {
  EngineReplica,
  LeaseHandover,
  LeaseRepository,
  ReplicaRepository,
} from '@anvil/storage';
import { ManualClock } from '@anvil/runtime';
import {
  EXPIRY_ROUND_DELAY_MS,
  STRANDED_AFTER_MS,
  TakeoverLoop,
  type TakeoverOptions,
} from './takeover-loop';

/** A loop of `replicaId` with five worlds of room ten, taking nothing, over the given stores. */
function loopOf(
  options: Pick<TakeoverOptions, 'leases' | 'replicas' | 'replicaId'> & Partial<TakeoverOptions>,
): TakeoverLoop {
  return new TakeoverLoop({
    address: () => `${options.replicaId}:1`,
    everyMs: 100,
    ttlMs: 60_000,
    role: 'physics',
    capacity: () => ({ worlds: 5, bodies: 0, maxWorlds: 10, maxBodies: 1_000 }),
    takeOver: async () => undefined,
    ...options,
  });
}

/**
 * A started-by-the-test loop of `physics-a` (period 400 ms, on a manual clock) whose rounds are
 * counted; `leases` overrides the store's answers (no orphans, no live lease, no listener).
 */
function countedLoop(leases: Record<string, unknown>, options: Partial<TakeoverOptions> = {}) {
  const counted = { rounds: 0 };
  const clock = new ManualClock();
  const loop = loopOf({
    leases: {
      orphans: async () => (counted.rounds++, []),
      nextExpiryMs: async () => null,
      onOrphaned: async () => async () => undefined,
      ...leases,
    } as unknown as LeaseRepository,
    replicas: {
      heartbeat: async () => undefined,
      live: async () => [] as EngineReplica[],
      remove: async () => undefined,
    } as unknown as ReplicaRepository,
    replicaId: 'physics-a',
    everyMs: 400,
    timers: clock,
    ...options,
  });
  return { loop, clock, counted };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A live replica's report: `worlds` of room 10, reading state format `stateFormat`. */
const load = (replicaId: string, worlds: number, stateFormat = 1) => ({
  role: 'physics',
  replicaId,
  address: `${replicaId}:1`,
  worlds,
  bodies: 0,
  maxWorlds: 10,
  maxBodies: 1_000,
  stateFormat,
});

describe('TakeoverLoop', () => {
  it('stays unreported once stopped, even when a heartbeat was on its way', async () => {
    const reports = new Map<string, unknown>();
    let deliver!: () => void;
    const delivered = new Promise<void>((resolve) => (deliver = resolve));
    const replicas = {
      heartbeat: async (report: { replicaId: string }) => {
        await delivered; // slow store: the heartbeat lands after the stop began
        reports.set(report.replicaId, report);
      },
      remove: async (_role: string, replicaId: string) => void reports.delete(replicaId),
      live: async () => [] as EngineReplica[],
    } as unknown as ReplicaRepository;
    const leases = {
      orphans: async () => [],
      nextExpiryMs: async () => null,
      onOrphaned: async () => async () => undefined,
    } as unknown as LeaseRepository;
    const clock = new ManualClock();
    const loop = loopOf({ leases, replicas, replicaId: 'physics-a', ttlMs: 1_000, timers: clock });
    loop.start();
    clock.advance(0);
    const stopping = loop.stop();
    setTimeout(deliver, 20); // after the stop removed the report, without the wait
    await stopping;
    await delivered;
    await new Promise((resolve) => setImmediate(resolve));
    expect(reports.has('physics-a')).toBe(false);
  });

  it('sheds a world when another live replica has at least two fewer, then waits a lease', async () => {
    let others = [load('physics-b', 1)];
    let mine = 2;
    let shed = 0;
    const loop = loopOf({
      leases: { orphans: async () => [] } as unknown as LeaseRepository,
      replicas: {
        live: async () => [load('physics-a', 9), ...others] as EngineReplica[],
      } as unknown as ReplicaRepository,
      replicaId: 'physics-a',
      capacity: () => ({ worlds: mine, bodies: 0, maxWorlds: 10, maxBodies: 1_000 }),
      shed: async () => {
        shed++;
        mine--;
      },
    });
    await loop.round(); // 2 here (its own count, not its stale report of 9), 1 there: not yet
    expect(shed).toBe(0);
    others = [{ ...load('physics-b', 0), maxWorlds: 0 }]; // no room there
    await loop.round();
    expect(shed).toBe(0);
    others = [load('physics-b', 0)];
    await loop.round();
    expect(shed).toBe(1);
    // The other replica's report has not caught up: no second world within a lease.
    await loop.round();
    expect(shed).toBe(1);
  });

  it('reports its state format, and neither takes nor sheds a world it or its taker cannot read', async () => {
    const orphan = (worldId: string, stateFormat: number) => ({
      worldId,
      holder: 'physics-dead',
      expiresAt: new Date(),
      stateFormat,
      spec: {},
    });
    const reports: Array<{ stateFormat?: number }> = [];
    const taken: string[] = [];
    let orphans = [orphan('w-old', 1), orphan('w-new', 2)];
    let shed = 0;
    const older = {
      role: 'physics',
      replicaId: 'physics-b',
      address: 'physics-b:1',
      worlds: 0,
      bodies: 0,
      maxWorlds: 10,
      maxBodies: 1_000,
      stateFormat: 1,
    };
    const loop = loopOf({
      leases: {
        orphans: async () => orphans,
        nextExpiryMs: async () => null,
        onOrphaned: async () => async () => undefined,
      } as unknown as LeaseRepository,
      replicas: {
        heartbeat: async (report: { stateFormat?: number }) => void reports.push(report),
        live: async () => [older] as EngineReplica[],
        remove: async () => undefined,
      } as unknown as ReplicaRepository,
      replicaId: 'physics-b',
      stateFormat: 1,
      takeOver: async (worldId) => void taken.push(worldId),
      shed: async () => void shed++,
    });
    // An older build (format 1) takes the world of format 1 only; the other waits for a reader.
    expect(await loop.round()).toEqual(['w-old']);
    expect(taken).toEqual(['w-old']);
    // A replica of format 2 does not shed to an older one with room: it could not restore it.
    orphans = [];
    const newer = loopOf({
      leases: { orphans: async () => [] } as unknown as LeaseRepository,
      replicas: { live: async () => [older] as EngineReplica[] } as unknown as ReplicaRepository,
      replicaId: 'physics-c',
      stateFormat: 2,
      shed: async () => void shed++,
    });
    await newer.round();
    expect(shed).toBe(0);
    loop.start();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await loop.stop();
    expect(reports[0]).toMatchObject({ stateFormat: 1 });
  });

  it('runs a round just after the next live lease ends, when that comes before the next period', async () => {
    let nextExpiry: number | null = 120;
    const { loop, clock, counted } = countedLoop({ nextExpiryMs: async () => nextExpiry });
    loop.start();
    clock.advance(0);
    await settle();
    expect(counted.rounds).toBe(1);
    // Planned for 120 ms (its end on the database clock) plus EXPIRY_ROUND_DELAY_MS.
    clock.advance(120 + EXPIRY_ROUND_DELAY_MS - 1);
    await settle();
    expect(counted.rounds).toBe(1);
    nextExpiry = 1_000; // beyond the next period: nothing planned
    clock.advance(1);
    await settle();
    expect(counted.rounds).toBe(2);
    clock.advance(400 - 120 - EXPIRY_ROUND_DELAY_MS - 1);
    await settle();
    expect(counted.rounds).toBe(2);
    clock.advance(1); // the periodic round
    await settle();
    expect(counted.rounds).toBe(3);
    nextExpiry = null; // no live lease
    clock.advance(400);
    await settle();
    expect(counted.rounds).toBe(4);
    expect(clock.pending).toBe(1); // only the period's timer
    await loop.stop();
  });

  it('runs a round as soon as a lease of its role is released as an orphan, and stops listening when stopped', async () => {
    let orphaned: (() => void) | undefined;
    let listening = 0;
    const { loop, clock, counted } = countedLoop({
      onOrphaned: async (role: string, listener: () => void) => {
        expect(role).toBe('physics');
        orphaned = listener;
        listening++;
        return async () => void listening--;
      },
    });
    loop.start();
    clock.advance(0);
    await settle();
    expect(counted.rounds).toBe(1);
    orphaned?.(); // no time passes: the round is not the periodic one
    await settle();
    expect(counted.rounds).toBe(2);
    // Several releases while a round runs: one more round after it, not one each.
    orphaned?.();
    orphaned?.();
    orphaned?.();
    await settle();
    await settle();
    expect(counted.rounds).toBe(4);
    expect(listening).toBe(1);
    await loop.stop();
    expect(listening).toBe(0);
  });

  it('goes on with its periodic rounds when the store cannot tell of handed-over worlds', async () => {
    const errors: unknown[] = [];
    const { loop, clock, counted } = countedLoop(
      {
        onOrphaned: async () => {
          throw new Error('no listener');
        },
      },
      { onError: (error) => errors.push(error) },
    );
    loop.start();
    for (let i = 0; i < 3; i++) {
      clock.advance(i === 0 ? 0 : 400);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(counted.rounds).toBe(3);
    expect(errors).toEqual([new Error('no listener')]);
    await loop.stop();
  });

  describe('with orphans', () => {
    const orphan = (worldId: string) => ({
      worldId,
      holder: 'physics-dead',
      epoch: 1,
      expiresAt: new Date(),
      stateFormat: 1,
      spec: {},
      handover: null as LeaseHandover | null,
    });

    /** physics-a (period 400 ms, manual clock) among `live`, over orphans the test sets. */
    function takingLoop(live: ReturnType<typeof load>[], takeOver: TakeoverOptions['takeOver']) {
      const store = { orphans: [] as ReturnType<typeof orphan>[] };
      const clock = new ManualClock();
      const loop = loopOf({
        leases: {
          orphans: async () => store.orphans,
          nextExpiryMs: async () => null,
          onOrphaned: async () => async () => undefined,
        } as unknown as LeaseRepository,
        replicas: {
          heartbeat: async () => undefined,
          live: async () => live as EngineReplica[],
          remove: async () => undefined,
        } as unknown as ReplicaRepository,
        replicaId: 'physics-a',
        everyMs: 400,
        timers: clock,
        clock,
        takeOver,
      });
      return { loop, clock, store };
    }

    it('runs the next round while a takeover loads, without starting that world twice', async () => {
      const started: string[] = [];
      let finish!: () => void;
      const loading = new Promise<void>((resolve) => (finish = resolve));
      const { loop, clock, store } = takingLoop([load('physics-a', 0)], async (worldId) => {
        started.push(worldId);
        if (worldId === 'w-1') await loading; // a slow restore
      });
      store.orphans = [orphan('w-1')];
      loop.start();
      clock.advance(0);
      await settle();
      expect(started).toEqual(['w-1']);
      // Its lease not acquired yet, w-1 is still an orphan when the next round reads.
      store.orphans = [orphan('w-1'), orphan('w-2')];
      clock.advance(400);
      await settle();
      expect(started).toEqual(['w-1', 'w-2']);
      finish();
      await loop.stop();
    });

    /** physics-a after its first round over orphan w-1, which every plan gives physics-b (fewer worlds; it reads state format `bReads`). */
    async function leftToB(bReads = 1) {
      const started: string[] = [];
      const taking = takingLoop(
        [load('physics-a', 5), load('physics-b', 0, bReads)],
        async (worldId) => void started.push(worldId),
      );
      taking.store.orphans = [orphan('w-1')];
      taking.loop.start();
      taking.clock.advance(0);
      await settle();
      return { ...taking, started };
    }

    it('takes an orphan the plan gave another replica once it has stayed orphaned a while', async () => {
      const { loop, clock, started } = await leftToB();
      expect(started).toEqual([]);
      // physics-b planned it for physics-a (a report apart): nobody took it. Before the period:
      clock.advance(STRANDED_AFTER_MS - 1);
      await settle();
      expect(started).toEqual([]);
      clock.advance(1);
      await settle();
      expect(started).toEqual(['w-1']);
      await loop.stop();
    });

    it('leaves an orphan handed to another replica by name to it for a lease, then takes it', async () => {
      const started: string[] = [];
      const { loop, clock, store } = takingLoop(
        [load('physics-a', 0), load('physics-b', 5)],
        async (worldId) => void started.push(worldId),
      );
      // Handed to physics-b, though physics-a has fewer worlds: the plan names physics-b.
      const handover = { epoch: 1, state: { tick: 3 }, to: 'physics-b' };
      store.orphans = [{ ...orphan('w-1'), handover }];
      loop.start();
      clock.advance(0);
      await settle();
      clock.advance(60_000 - 400); // the rounds of a whole lease but one period: left to physics-b
      await settle();
      expect(started).toEqual([]);
      clock.advance(400);
      await settle();
      expect(started).toEqual(['w-1']);
      await loop.stop();
    });

    it('does not take a stranded orphan of a state format it cannot read', async () => {
      const { loop, clock, store, started } = await leftToB(2);
      store.orphans = [{ ...orphan('w-1'), stateFormat: 2 }]; // only physics-b's build reads it
      clock.advance(STRANDED_AFTER_MS);
      await settle();
      expect(started).toEqual([]);
      await loop.stop();
    });

    it('leaves an orphan to the replica the plan names while it is new', async () => {
      const { loop, clock, store, started } = await leftToB();
      store.orphans = []; // physics-b took it
      clock.advance(STRANDED_AFTER_MS);
      await settle();
      store.orphans = [orphan('w-2')]; // a new one, for physics-b again
      clock.advance(400 - STRANDED_AFTER_MS);
      await settle();
      expect(started).toEqual([]);
      await loop.stop();
    });
  });
});
