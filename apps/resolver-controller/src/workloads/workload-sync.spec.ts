import { unrefTimers } from '@anvil/runtime';
import type { CachedBinding, CachedManifest } from '../mapping/cluster-cache';
import { silentLog } from '../reconcile/cluster-writer';
import { exampleSet } from '../testing/fixtures';
import type { ModuleWorkload } from './desired-workloads';
import { WorkloadSync, type ExistingWorkload, type WorkloadWriter } from './workload-sync';

const { manifests } = exampleSet('games');

/** The cluster's workloads, as a map, and the writes made to it. */
class FakeWorkloads implements WorkloadWriter {
  readonly objects = new Map<string, ModuleWorkload>();
  readonly writes: string[] = [];

  async applyWorkload(workload: ModuleWorkload): Promise<void> {
    this.writes.push(`apply ${workload.name}`);
    this.objects.set(`${workload.namespace}/${workload.name}`, workload);
  }
  async listWorkloads(namespace: string | undefined): Promise<ExistingWorkload[]> {
    return [...this.objects.values()]
      .filter((w) => namespace === undefined || w.namespace === namespace)
      .map(({ namespace, name }) => ({ namespace, name }));
  }
  async deleteWorkload(namespace: string, name: string): Promise<void> {
    this.writes.push(`delete ${name}`);
    this.objects.delete(`${namespace}/${name}`);
  }
}

const bindingTo = (provider: string, version: string) =>
  ({
    metadata: { name: `b-${provider}`, namespace: 'games' },
    spec: {
      consumer: { module: 'interaction-engine', version: '1.0.0' },
      provider: { module: provider, version, endpoint: { port: 1, protocol: 'grpc' } },
    },
  }) as CachedBinding;

describe('WorkloadSync', () => {
  let bindings: CachedBinding[];
  let current: CachedManifest[];
  let cluster: FakeWorkloads;
  let sync: WorkloadSync;

  beforeEach(() => {
    bindings = [bindingTo('physics-rapier', '1.3.0')];
    current = manifests;
    cluster = new FakeWorkloads();
    sync = new WorkloadSync({
      manifests: () => current,
      bindings: () => bindings,
      writer: cluster,
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
    // The world moves to 2.0.0: its workload starts, 1.3.0's goes once nothing binds it.
    bindings = [bindingTo('physics-rapier', '2.0.0')];
    await sync.sync();
    expect(cluster.writes.slice(2)).toEqual([
      'apply physics-rapier-2-0-0',
      'delete physics-rapier-1-3-0',
    ]);
    expect([...cluster.objects.keys()].sort()).toEqual([
      'games/interaction-engine-1-0-0',
      'games/physics-rapier-2-0-0',
    ]);
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
    await sync.sync();
    expect(cluster.objects.size).toBe(0);
  });
});
