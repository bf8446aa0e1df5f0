import { ClusterCache } from '../mapping/cluster-cache';
import { silentLog } from '../reconcile/cluster-writer';
import { EventRecorder } from '../reconcile/event-recorder';
import { Expectations } from '../reconcile/expectations';
import { Reconciler } from '../reconcile/reconciler';
import type { WorldRegistry } from '../registry/world-registry';
import type { Rollouts } from '../rollout/rollouts';
import { FakeWriter } from './fake-writer';
import { clone, exampleSet } from './fixtures';
import { ManualClock } from './manual-clock';

/**
 * A reconciler over an in-memory cache holding the example game in namespace `ns` (world key
 * `ns/arena-eu-1`), writing through a FakeWriter, optionally publishing to `registry` and
 * gating module moves on `rollouts`.
 */
export function reconcilerFixture(registry?: WorldRegistry, rollouts?: Rollouts) {
  const { manifests, game, world } = exampleSet('ns');
  const cache = new ClusterCache();
  cache.manifests.replace(clone(manifests));
  cache.games.replace([clone(game)]);
  cache.worlds.replace([clone(world)]);
  const clock = new ManualClock();
  const expectations = new Expectations(clock, 30_000);
  const writer = new FakeWriter(cache, expectations);
  const events = new EventRecorder(writer, silentLog);
  const reconciler = new Reconciler({
    cache,
    writer,
    expectations,
    clock,
    events,
    registry,
    rollouts,
  });
  return { cache, writer, clock, expectations, events, reconciler, world };
}
