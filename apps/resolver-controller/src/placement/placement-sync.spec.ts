import type { WorldPlacement } from '@anvil/capability-model';
import { ManualClock } from '@anvil/runtime';
import type { CachedWorld } from '../mapping/cluster-cache';
import { silentLog } from '../reconcile/cluster-writer';
import type { WorldEvent } from '../reconcile/transition-events';
import { PlacementSync } from './placement-sync';
import type { LeaseView } from '@anvil/control-plane';

const world = (name: string, placement?: WorldPlacement) =>
  ({
    apiVersion: 'anvil.dev/v1alpha1',
    kind: 'WorldInstance',
    metadata: { name, namespace: 'games', uid: name, resourceVersion: '1' },
    spec: { gameRef: 'arena', region: 'eu', shards: 1 },
    status: placement ? { placement } : undefined,
  }) as unknown as CachedWorld;

describe('PlacementSync', () => {
  it('writes a world’s placement and an Event once per change, and nothing for unplaced worlds', async () => {
    const leases = new Map<string, LeaseView>();
    const writes: string[] = [];
    const events: WorldEvent[] = [];
    const clock = new ManualClock();
    const sync = new PlacementSync({
      worlds: () => [world('a'), world('b')],
      leases: async () => leases,
      writer: {
        applyWorldPlacement: async (w, p) => {
          writes.push(`${w.metadata.name} ${p.replica} ${p.epoch} ${p.state}`);
          return w;
        },
      },
      events: { record: (_w, e) => void events.push(e) },
      everyMs: 1_000,
      timers: clock,
      log: silentLog,
    });
    const base = { address: 'x:1', released: false };
    leases.set('games:a', { ...base, holder: 'p-0', epoch: 1, expired: false });
    await sync.sync();
    await sync.sync();
    expect(writes).toEqual(['a p-0 1 Running']);
    leases.set('games:a', { ...base, holder: 'p-0', epoch: 1, expired: true });
    await sync.sync();
    leases.set('games:a', { ...base, holder: 'p-1', epoch: 2, expired: false });
    await sync.sync();
    expect(writes.slice(1)).toEqual(['a p-0 1 OwnerLost', 'a p-1 2 Running']);
    expect(events.map((e) => e.reason)).toEqual(['Placed', 'OwnerLost', 'FailedOver']);
  });
});
