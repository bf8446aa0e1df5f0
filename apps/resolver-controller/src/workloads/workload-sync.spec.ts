import type { Condition } from '@anvil/capability-model';
import { unrefTimers } from '@anvil/runtime';
import type { CachedBinding, CachedManifest, CachedWorld } from '../mapping/cluster-cache';
import { silentLog } from '../reconcile/cluster-writer';
import type { WorldEvent } from '../reconcile/transition-events';
import { exampleSet } from '../testing/fixtures';
import { objectKey } from '../informers/kube-object';
import { MODULE_LABEL, workloadOf, type ModuleWorkload } from './desired-workloads';
import { boundVersions, type ModuleVersion } from '../rollout/rollout-gate';
import { Rollouts } from '../rollout/rollouts';
import type { WorkloadState } from './workload-plan';
import { WorkloadSync, type WorkloadWriter } from './workload-sync';

const { manifests, world } = exampleSet('games');

/**
 * The cluster's workloads, as a map, and the writes made to it. A workload is Ready unless
 * listed in `starting`; a deleted one stays, deleting, until `podsGone` (foreground deletion).
 */
class FakeWorkloads implements WorkloadWriter {
  readonly objects = new Map<string, ModuleWorkload>();
  readonly deleting = new Set<string>();
  readonly starting = new Set<string>();
  readonly writes: string[] = [];

  async applyWorkload(workload: ModuleWorkload): Promise<void> {
    this.writes.push(`apply ${workload.name}`);
    this.objects.set(`${workload.namespace}/${workload.name}`, workload);
  }
  async listWorkloads(namespace: string | undefined): Promise<WorkloadState[]> {
    return [...this.objects.values()]
      .filter((w) => namespace === undefined || w.namespace === namespace)
      .map(({ namespace, name, deployment }) => {
        const ready = !this.starting.has(name);
        return {
          namespace,
          name,
          module: deployment.metadata.labels[MODULE_LABEL]!,
          replicas: 1,
          available: ready ? 1 : 0,
          ready,
          deleting: this.deleting.has(name),
        };
      });
  }
  async deleteWorkload(_namespace: string, name: string): Promise<void> {
    this.writes.push(`delete ${name}`);
    this.deleting.add(name);
  }
  podsGone(name: string): void {
    this.deleting.delete(name);
    this.objects.delete(`games/${name}`);
  }
}

const bindingTo = (provider: string, version: string) =>
  ({
    metadata: { name: `b-${provider}`, namespace: 'games' },
    spec: {
      worldRef: world.metadata.name,
      consumer: { module: 'interaction-engine', version: '1.0.0' },
      provider: { module: provider, version, endpoint: { port: 1, protocol: 'grpc' } },
    },
  }) as CachedBinding;

describe('WorkloadSync', () => {
  let bindings: CachedBinding[];
  let current: CachedManifest[];
  let cluster: FakeWorkloads;
  let sync: WorkloadSync;
  let conditions: Condition[];
  let events: WorldEvent[];
  /** How many Migrating writes fail next. */
  let failWrites: number;
  let rollouts: Rollouts;
  let requeued: string[];
  const worldKey = objectKey(world);
  /** Plays the reconciler: the world is wanted on `targets` (default: what it binds). */
  const reconciled = (targets: ModuleVersion[] = boundVersions(bindings)) =>
    rollouts.target(worldKey, targets);
  const physics = (version: string) => [
    { module: 'interaction-engine', version: '1.0.0' },
    { module: 'physics-rapier', version },
  ];

  beforeEach(() => {
    conditions = [];
    events = [];
    failWrites = 0;
    bindings = [bindingTo('physics-rapier', '1.3.0')];
    current = manifests;
    cluster = new FakeWorkloads();
    requeued = [];
    rollouts = new Rollouts((key) => requeued.push(key));
    reconciled();
    sync = new WorkloadSync({
      rollouts,
      manifests: () => current,
      bindings: () => bindings,
      worlds: () => [world as CachedWorld],
      writer: cluster,
      status: {
        applyWorldMigration: async (_world, condition) => {
          if (failWrites > 0 && failWrites--) throw new Error('the API server is unavailable');
          conditions.push(condition);
          return world;
        },
      },
      events: { record: (_world, event) => events.push(event) },
      namespace: 'games',
      everyMs: 1_000,
      timers: unrefTimers,
      log: silentLog,
    });
  });

  it('creates the bound versions, writes nothing while nothing changes, and follows an upgrade', async () => {
    await sync.sync();
    expect(cluster.writes).toEqual([
      'apply interaction-engine-1-0-0',
      'apply physics-rapier-1-3-0',
    ]);
    await sync.sync();
    expect(cluster.writes).toHaveLength(2);
    expect(rollouts.isReady('games', 'physics-rapier', '1.3.0')).toBe(true);
    // The world is wanted on 2.0.0 and stays bound to 1.3.0 until 2.0.0's workload is Ready.
    reconciled(physics('2.0.0'));
    cluster.starting.add('physics-rapier-2-0-0');
    requeued = [];
    await sync.sync();
    await sync.sync();
    expect(cluster.writes.slice(2)).toEqual(['apply physics-rapier-2-0-0']);
    expect(conditions.map((c) => `${c.status} ${c.reason}`)).toEqual(['True WaitingForWorkload']);
    expect(conditions[0]!.message).toMatch(
      /the world stays on physics-rapier 1\.3\.0 until it is$/,
    );
    expect(events.map((e) => e.reason)).toEqual(['WaitingForWorkload']);
    expect(requeued).toEqual([]);

    // Ready: the world is requeued, and the reconciler moves its bindings.
    cluster.starting.delete('physics-rapier-2-0-0');
    await sync.sync();
    expect(requeued).toEqual([worldKey]);
    expect(cluster.writes.slice(3)).toEqual([]);
    expect(conditions.at(-1)).toMatchObject({ status: 'True', reason: 'Draining' });
    bindings = [bindingTo('physics-rapier', '2.0.0')];
    await sync.sync();
    expect(cluster.writes.slice(3)).toEqual(['delete physics-rapier-1-3-0']);
    expect(conditions.at(-1)?.message).toMatch(/physics-rapier-1-3-0 is stopping/);
    await sync.sync();
    expect(cluster.writes).toHaveLength(4);

    cluster.podsGone('physics-rapier-1-3-0');
    await sync.sync();
    expect([...cluster.objects.keys()].sort()).toEqual([
      'games/interaction-engine-1-0-0',
      'games/physics-rapier-2-0-0',
    ]);
    expect(conditions.map((c) => `${c.status} ${c.reason}`)).toEqual([
      'True WaitingForWorkload',
      'True Draining',
      'True Draining',
      'False Migrated',
    ]);
    expect(events.map((e) => e.reason)).toEqual(['WaitingForWorkload', 'Draining', 'Migrated']);
    await sync.sync();
    expect(conditions).toHaveLength(4);
  });

  it('keeps the old version running while the new one never becomes Ready', async () => {
    await sync.sync();
    reconciled(physics('2.0.0'));
    cluster.starting.add('physics-rapier-2-0-0');
    for (let i = 0; i < 5; i++) await sync.sync();
    expect(cluster.writes.filter((w) => w.startsWith('delete'))).toEqual([]);
    expect(cluster.objects.has('games/physics-rapier-1-3-0')).toBe(true);
    expect(conditions).toHaveLength(1);
    expect(conditions[0]!.reason).toBe('WaitingForWorkload');
    // A world bound to the new version already (it could not stay) keeps the old one too.
    bindings = [bindingTo('physics-rapier', '2.0.0')];
    reconciled();
    for (let i = 0; i < 3; i++) await sync.sync();
    expect(cluster.objects.has('games/physics-rapier-1-3-0')).toBe(true);
    expect(cluster.writes.filter((w) => w.startsWith('delete'))).toEqual([]);
    expect(conditions.at(-1)!.message).toMatch(/physics-rapier-1-3-0 keeps running until it is/);
  });

  it('touches nothing until every world has been reconciled since it started', async () => {
    rollouts.forget(worldKey);
    const running = manifests.find((m) => m.metadata.name === 'physics-rapier-1.3.0')!;
    cluster.objects.set('games/physics-rapier-1-3-0', workloadOf(running));
    await sync.sync();
    expect(cluster.writes).toEqual([]);
    // It still reports readiness, so the reconciler's gate is right from the start.
    expect(rollouts.isReady('games', 'physics-rapier', '1.3.0')).toBe(true);
    reconciled();
    await sync.sync();
    // A new process applies once what it finds (server-side apply makes that a no-op).
    expect(cluster.writes).toEqual([
      'apply interaction-engine-1-0-0',
      'apply physics-rapier-1-3-0',
    ]);
  });

  it('tries a failed condition write again next pass, telling the Event only once written', async () => {
    await sync.sync();
    reconciled(physics('2.0.0'));
    cluster.starting.add('physics-rapier-2-0-0');
    failWrites = 1;
    await sync.sync();
    expect(conditions).toEqual([]);
    expect(events).toEqual([]);
    await sync.sync();
    expect(conditions.map((c) => c.reason)).toEqual(['WaitingForWorkload']);
    expect(events.map((e) => e.reason)).toEqual(['WaitingForWorkload']);
  });

  it('applies again a workload that was deleted behind its back, or whose manifest changed', async () => {
    await sync.sync();
    cluster.objects.delete('games/physics-rapier-1-3-0');
    await sync.sync();
    expect(cluster.writes.at(-1)).toBe('apply physics-rapier-1-3-0');
    current = manifests.map((m) =>
      m.metadata.name === 'physics-rapier-1.3.0'
        ? { ...m, spec: { ...m.spec, image: 'registry.local/physics:1.3.0-patched' } }
        : m,
    );
    await sync.sync();
    expect(cluster.writes.at(-1)).toBe('apply physics-rapier-1-3-0');
    expect(cluster.objects.get('games/physics-rapier-1-3-0')?.deployment.spec).toMatchObject({
      template: { spec: { containers: [{ image: 'registry.local/physics:1.3.0-patched' }] } },
    });
  });

  it('deletes every workload when no world binds anything', async () => {
    await sync.sync();
    bindings = [];
    reconciled([]);
    await sync.sync();
    expect(cluster.deleting.size).toBe(2);
    expect(conditions).toEqual([]);
  });
});
