import { ClusterCache } from '../mapping/cluster-cache';
import type { KubeObject } from '../informers/kube-object';
import { clone } from '../testing/fixtures';
import { reconcilerFixture } from '../testing/reconciler-fixture';
import { runningWorkload } from '../testing/workloads';
import { Rollouts } from '../rollout/rollouts';
import { silentLog } from './cluster-writer';

const KEY = 'ns/arena-eu-1';

function setup(rollouts?: Rollouts) {
  const { cache, writer, clock, expectations, events, reconciler, world } = reconcilerFixture(
    undefined,
    rollouts,
  );
  const run = async () => {
    const result = await reconciler.reconcile(KEY, silentLog);
    await events.flush();
    return result;
  };
  return { cache, writer, clock, expectations, run, world };
}

const phase = (cache: ClusterCache) => cache.worlds.getByKey(KEY)?.status?.phase;

/** The world's physics providers, as `module@version`. */
const physicsProvider = (cache: ClusterCache) =>
  cache
    .bindingsOf(KEY)
    .filter((b) => b.spec.capabilityId === 'physics.simulation')
    .map((b) => `${b.spec.provider.module}@${b.spec.provider.version}`);

/** Publishes physics-rapier 1.4.0, a newer provider of the example game's physics. */
function publishRapier14(cache: ClusterCache) {
  const newer = clone(cache.manifests.get('ns', 'physics-rapier-1.3.0')!);
  newer.metadata = { ...newer.metadata, name: 'physics-rapier-1.4.0', uid: 'uid-new' };
  newer.spec = {
    ...newer.spec,
    version: '1.4.0',
    provides: [{ capabilityId: 'physics.simulation', version: '1.5.0', scope: 'world' }],
  };
  cache.manifests.upsert(newer);
  return newer;
}

describe('Reconciler', () => {
  it('creates the bindings, writes the status and records one Event', async () => {
    const { cache, writer, run } = setup();
    await run();
    expect(writer.writes.filter((w) => w.startsWith('apply'))).toHaveLength(2);
    expect(writer.writes[writer.writes.length - 1]).toBe('status arena-eu-1 Ready');
    expect(
      cache
        .bindingsOf(KEY)
        .map((b) => b.metadata.name)
        .sort(),
    ).toEqual([
      'arena-eu-1.interaction-engine.analytics.sink.analytics-kafka',
      'arena-eu-1.interaction-engine.physics.simulation.physics-rapier',
    ]);
    expect(writer.events.map((e) => e.reason)).toEqual(['Resolved']);
  });

  it('writes nothing the second time', async () => {
    const { writer, run } = setup();
    await run();
    const before = writer.writes.length;
    await run();
    expect(writer.writes).toHaveLength(before);
    expect(writer.events).toHaveLength(1);
  });

  it('waits for a lagging cache instead of writing twice or repeating Events', async () => {
    const { writer, run } = setup();
    writer.lagging = true;
    await run();
    const before = writer.writes.length;
    expect(await run()).toEqual({ requeueAfterMs: 30_000 });
    expect(writer.writes).toHaveLength(before);
    writer.catchUp();
    expect(await run()).toBeUndefined();
    expect(writer.writes).toHaveLength(before);
    expect(writer.events).toHaveLength(1);
  });

  it('gives up waiting once the expectations expire', async () => {
    const { writer, clock, run } = setup();
    writer.lagging = true;
    await run();
    await clock.advance(30_000);
    expect(await run()).toBeUndefined();
  });

  it('restores a binding deleted by hand', async () => {
    const { cache, writer, run } = setup();
    await run();
    const victim = cache.bindingsOf(KEY)[0];
    cache.bindings.remove(victim);
    writer.writes.length = 0;
    await run();
    expect(writer.writes).toEqual([`apply ${victim.metadata.name}`]);
    expect(writer.events.map((e) => e.reason)).toEqual(['Resolved', 'BindingsChanged']);
  });

  it('moves the bindings to a newer provider, back when it goes, and reports the world unresolved when none is left', async () => {
    const { cache, writer, run } = setup();
    await run();
    const newer = publishRapier14(cache);
    await run();
    expect(physicsProvider(cache)).toEqual(['physics-rapier@1.4.0']);
    cache.manifests.remove(newer);
    await run();
    expect(physicsProvider(cache)).toEqual(['physics-rapier@1.3.0']);
    for (const name of ['physics-rapier-1.3.0', 'physics-rapier-2.0.0', 'physics-legacy-0.9.0'])
      cache.manifests.remove({ metadata: { namespace: 'ns', name } });
    await run();
    expect(phase(cache)).toBe('Unresolved');
    expect(physicsProvider(cache)).toEqual([]);
    expect(writer.events.map((e) => e.reason)).toEqual([
      'Resolved',
      'BindingsChanged',
      'BindingsChanged',
      'Unresolved',
    ]);
  });

  it("with module workloads, keeps a world on the version it binds until the new version's workload is Ready", async () => {
    const requeued: string[] = [];
    const rollouts = new Rollouts((key) => requeued.push(key));
    const { cache, run } = setup(rollouts);
    // A world bound to nothing yet binds what the resolver chose, Ready or not.
    await run();
    expect(physicsProvider(cache)).toEqual(['physics-rapier@1.3.0']);
    // Each version is reached at its own workload's Service.
    const physicsHost = () =>
      cache.bindingsOf(KEY).find((b) => b.spec.capabilityId === 'physics.simulation')?.spec.provider
        .endpoint.host;
    expect(physicsHost()).toBe('physics-rapier-1-3-0.ns.svc');
    publishRapier14(cache);
    await run();
    expect(physicsProvider(cache)).toEqual(['physics-rapier@1.3.0']);
    expect(rollouts.targetsOf(KEY)).toContainEqual({ module: 'physics-rapier', version: '1.4.0' });
    expect(phase(cache)).toBe('Ready');
    // The workload sync reports 1.4.0 Ready: the world is requeued and moves.
    rollouts.observe([
      { ...runningWorkload('physics-rapier-1-4-0', 'physics-rapier'), namespace: 'ns' },
    ]);
    expect(requeued).toEqual([KEY]);
    await run();
    expect(physicsProvider(cache)).toEqual(['physics-rapier@1.4.0']);
    expect(physicsHost()).toBe('physics-rapier-1-4-0.ns.svc');
    // A bound version whose manifest goes is left at once, for a version Ready or not.
    rollouts.observe([]);
    cache.manifests.remove({ metadata: { namespace: 'ns', name: 'physics-rapier-1.4.0' } });
    await run();
    expect(physicsProvider(cache)).toEqual(['physics-rapier@1.3.0']);
    // A gone or deleted world is forgotten.
    cache.worlds.remove({ metadata: { namespace: 'ns', name: 'arena-eu-1' } });
    await run();
    expect(rollouts.knowsAll([KEY])).toBe(false);
  });

  it('reports a missing game', async () => {
    const { cache, run } = setup();
    cache.games.replace([]);
    await run();
    const status = cache.worlds.getByKey(KEY)?.status;
    expect(status?.phase).toBe('Unresolved');
    expect(status?.conditions?.find((c) => c.type === 'Resolved')?.reason).toBe('GameNotFound');
  });

  it('writes ApplyFailed into the status and throws so the queue retries', async () => {
    const { cache, writer, run } = setup();
    writer.failBindings = 1;
    await expect(run()).rejects.toThrow(/binding write\(s\) failed/);
    expect(phase(cache)).toBe('Resolved');
    expect(
      cache.worlds.getByKey(KEY)?.status?.conditions?.find((c) => c.type === 'Ready')?.reason,
    ).toBe('ApplyFailed');
    expect(writer.events.map((e) => e.reason)).toEqual(['Resolved', 'ApplyFailed']);
    await run();
    expect(phase(cache)).toBe('Ready');
  });

  it('is done when the world is gone or being deleted', async () => {
    const { cache, writer, run, world } = setup();
    cache.worlds.upsert({
      ...clone(world),
      metadata: {
        ...world.metadata,
        resourceVersion: '2',
        deletionTimestamp: '2026-01-01T00:00:00Z',
      },
    } as never);
    expect(await run()).toBeUndefined();
    cache.worlds.remove(world as KubeObject);
    expect(await run()).toBeUndefined();
    expect(writer.writes).toEqual([]);
  });
});
