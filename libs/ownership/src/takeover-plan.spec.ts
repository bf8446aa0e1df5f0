import fc from 'fast-check';
import { planTakeover, takers, type ReplicaLoad } from './takeover-plan';

const replica = (replicaId: string, worlds: number, maxWorlds = 64): ReplicaLoad => ({
  replicaId,
  worlds,
  bodies: worlds * 10,
  maxWorlds,
  maxBodies: 20_000,
});

const arbitraryReplicas = fc.uniqueArray(
  fc.record({
    replicaId: fc.stringMatching(/^r[0-9]{1,2}$/),
    worlds: fc.integer({ min: 0, max: 10 }),
    bodies: fc.integer({ min: 0, max: 100 }),
    maxWorlds: fc.integer({ min: 0, max: 12 }),
    maxBodies: fc.integer({ min: 0, max: 120 }),
  }),
  { selector: (r) => r.replicaId, maxLength: 6 },
);
const arbitraryOrphans = fc.uniqueArray(fc.stringMatching(/^w[0-9]{1,3}$/), { maxLength: 40 });
/** The plan's input for worlds of format 1. */
const worlds = (ids: string[]) => ids.map((worldId) => ({ worldId }));

describe('planTakeover', () => {
  it('spreads orphans over the least loaded replicas with room', () => {
    const plan = planTakeover(worlds(['w1', 'w2', 'w3', 'w4']), [
      replica('a', 5),
      replica('b', 3),
      replica('c', 9, 9),
    ]);
    expect([...plan]).toEqual([
      ['w1', 'b'],
      ['w2', 'b'],
      ['w3', 'a'], // a 5, b 5: ties go by id
      ['w4', 'b'],
    ]);
  });

  it('leaves out worlds nobody has room for', () => {
    expect(planTakeover(worlds(['w1']), [replica('a', 2, 2)]).size).toBe(0);
    expect(planTakeover(worlds(['w1']), []).size).toBe(0);
  });

  it('gives a world only to a replica that reads its state format, else leaves it out', () => {
    const older = replica('a', 0);
    const newer = { ...replica('b', 5), stateFormat: 2 };
    const plan = planTakeover(
      [{ worldId: 'w1', stateFormat: 2 }, { worldId: 'w2' }, { worldId: 'w3', stateFormat: 3 }],
      [older, newer],
    );
    expect([...plan]).toEqual([
      ['w1', 'b'],
      ['w2', 'a'],
    ]);
  });

  it('gives a world to the replica it was handed to when that one can take it, and counts it', () => {
    const plan = planTakeover(
      [
        { worldId: 'w1', to: 'c' },
        { worldId: 'w2', to: 'c' },
        { worldId: 'w3', to: 'gone' }, // not among the takers: planned as usual
        { worldId: 'w4', to: 'full' }, // no room there: planned as usual
        { worldId: 'w5', stateFormat: 2, to: 'c' }, // c does not read it
        { worldId: 'w6' },
      ],
      [
        replica('a', 1),
        replica('c', 0),
        replica('full', 2, 2),
        { ...replica('b', 3), stateFormat: 2 },
      ],
    );
    expect([...plan].sort()).toEqual([
      ['w1', 'c'],
      ['w2', 'c'],
      ['w3', 'a'], // a 1, c 2 (w1, w2 counted first)
      ['w4', 'a'], // a 2, c 2: ties by id
      ['w5', 'b'],
      ['w6', 'c'],
    ]);
  });

  it('with named takers too, is the same plan whatever the order of its inputs and overfills none (property)', () => {
    const named = fc.array(
      fc.record({
        worldId: fc.stringMatching(/^w[0-9]{1,2}$/),
        to: fc.option(fc.stringMatching(/^r[0-9]$/), { nil: undefined }),
      }),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(named, arbitraryReplicas, (orphans, replicas) => {
        const plan = planTakeover(orphans, replicas);
        expect([...planTakeover([...orphans].reverse(), [...replicas].reverse())].sort()).toEqual(
          [...plan].sort(),
        );
        // A named taker is never overfilled either.
        for (const r of replicas) {
          const given = [...plan.values()].filter((id) => id === r.replicaId).length;
          if (given > 0) expect(r.worlds + given).toBeLessThanOrEqual(r.maxWorlds);
        }
      }),
    );
  });

  it('never gives a world to a replica that cannot read it, and places the rest as if alone (property)', () => {
    const format = fc.integer({ min: 1, max: 3 });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.stringMatching(/^w[0-9]{1,2}$/), format), { maxLength: 30 }),
        arbitraryReplicas,
        fc.array(format, { minLength: 6, maxLength: 6 }),
        (orphans, replicas, formats) => {
          const reporting = replicas.map((r, i) => ({ ...r, stateFormat: formats[i] }));
          const input = orphans.map(([worldId, stateFormat]) => ({ worldId, stateFormat }));
          const plan = planTakeover(input, reporting);
          const newest = new Map<string, number>();
          for (const [id, f] of orphans) newest.set(id, Math.max(f, newest.get(id) ?? 1));
          for (const [worldId, replicaId] of plan) {
            const taker = reporting.find((r) => r.replicaId === replicaId)!;
            expect(taker.stateFormat).toBeGreaterThanOrEqual(newest.get(worldId)!);
          }
          // With every replica reading every format, it is the plan of plain world ids.
          const all = reporting.map((r) => ({ ...r, stateFormat: 3 }));
          expect(planTakeover(input, all)).toEqual(
            planTakeover(worlds([...newest.keys()]), replicas),
          );
        },
      ),
    );
  });

  it('is the same plan whatever the order of its inputs (property)', () => {
    fc.assert(
      fc.property(arbitraryOrphans, arbitraryReplicas, fc.nat(), (orphans, replicas, seed) => {
        const shuffle = <T>(xs: T[]) =>
          xs
            .map((x, i) => ({ x, k: (i * 7919 + seed) % 104_729 }))
            .sort((p, q) => p.k - q.k)
            .map((p) => p.x);
        expect([...planTakeover(worlds(shuffle(orphans)), shuffle(replicas))].sort()).toEqual(
          [...planTakeover(worlds(orphans), replicas)].sort(),
        );
      }),
    );
  });

  it('never overfills a replica, places while any has room, and keeps loads within one (property)', () => {
    fc.assert(
      fc.property(arbitraryOrphans, arbitraryReplicas, (orphans, replicas) => {
        const plan = planTakeover(worlds(orphans), replicas);
        const after = new Map(replicas.map((r) => [r.replicaId, r.worlds]));
        for (const id of plan.values()) after.set(id, after.get(id)! + 1);
        const open = replicas.filter((r) => r.worlds < r.maxWorlds && r.bodies < r.maxBodies);
        for (const r of open) expect(after.get(r.replicaId)).toBeLessThanOrEqual(r.maxWorlds);
        for (const r of replicas.filter((x) => !open.includes(x)))
          expect(after.get(r.replicaId)).toBe(r.worlds);
        const room = open.reduce((sum, r) => sum + r.maxWorlds - r.worlds, 0);
        expect(plan.size).toBe(Math.min(orphans.length, room));
        // A replica that received a world had no more worlds, before it, than any other with room.
        for (const r of open) {
          if (after.get(r.replicaId) === r.worlds) continue;
          const received = after.get(r.replicaId)! - 1;
          for (const o of open)
            if (after.get(o.replicaId)! < o.maxWorlds)
              expect(received).toBeLessThanOrEqual(after.get(o.replicaId)!);
        }
      }),
    );
  });
});

describe('takers', () => {
  const live = [replica('a', 1), replica('b', 2), replica('c', 3)];

  it('leaves out the replicas whose leases ended: a dead one still reported live takes nothing', () => {
    expect(takers(live, ['b', 'b']).map((r) => r.replicaId)).toEqual(['a', 'c']);
    expect(planTakeover(worlds(['w1', 'w2']), takers(live, ['a', 'a'])).get('w1')).toBe('b');
    expect(takers(live, ['gone-long-ago'])).toEqual(live);
  });

  it('keeps them all when none would be left (one replica that stalled past its leases)', () => {
    expect(takers([replica('a', 1)], ['a'])).toEqual([replica('a', 1)]);
    expect(takers(live, ['a', 'b', 'c'])).toEqual(live);
  });
});
