import fc from 'fast-check';
import { placeNewWorld } from './placement';
import type { ReplicaLoad } from './takeover-plan';

const replica = (replicaId: string, worlds: number, maxWorlds = 10): ReplicaLoad => ({
  replicaId,
  worlds,
  bodies: 0,
  maxWorlds,
  maxBodies: 1_000,
});

describe('placeNewWorld', () => {
  it('keeps the world where the Init arrived unless another replica has two worlds fewer', () => {
    expect(placeNewWorld(replica('a', 3), [replica('b', 2)])).toBe('a');
    expect(placeNewWorld(replica('a', 3), [replica('b', 1), replica('c', 1)])).toBe('b');
    expect(placeNewWorld(replica('a', 0), [])).toBe('a');
  });

  it('sends it elsewhere when this replica is full, and keeps it when nobody else has room', () => {
    expect(placeNewWorld(replica('a', 10), [replica('b', 9)])).toBe('b');
    expect(placeNewWorld(replica('a', 2), [replica('b', 0, 0)])).toBe('a');
  });

  it('never chooses a replica without room when one has room, and spreads a burst over the replicas', () => {
    const loads = fc.array(fc.nat(12), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(loads, fc.nat(5), (worlds, at) => {
        const all = worlds.map((w, i) => replica(`r${i}`, Math.min(w, 10)));
        const self = all[at % all.length];
        const chosen = all.find((r) => r.replicaId === placeNewWorld(self, all))!;
        if (all.some((r) => r.worlds < r.maxWorlds)) expect(chosen.worlds).toBeLessThan(10);
        const least = Math.min(...all.filter((r) => r.worlds < 10).map((r) => r.worlds));
        if (chosen.worlds < 10) expect(chosen.worlds).toBeLessThanOrEqual(least + 1);
      }),
    );
    // 30 Inits all reaching one replica of three, the others' reports updated as they take worlds:
    const counts = new Map([
      ['a', 0],
      ['b', 0],
      ['c', 0],
    ]);
    const load = () => [...counts].map(([id, w]) => replica(id, w, 64));
    for (let i = 0; i < 30; i++) {
      const chosen = placeNewWorld(load()[0], load());
      counts.set(chosen, counts.get(chosen)! + 1);
    }
    expect([...counts.values()].every((n) => n >= 9 && n <= 11)).toBe(true);
  });
});
