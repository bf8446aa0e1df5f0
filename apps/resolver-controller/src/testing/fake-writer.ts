import type {
  Condition,
  WorldInstance,
  WorldInstanceStatus,
  WorldPlacement,
} from '@anvil/capability-model';
import type { CachedBinding, CachedWorld, ClusterCache } from '../mapping/cluster-cache';
import type { KubeObject } from '../informers/kube-object';
import type { ClusterWriter } from '../reconcile/cluster-writer';
import type { Expectations } from '../reconcile/expectations';
import type { BindingObject } from '../reconcile/desired-bindings';
import type { WorldEvent } from '../reconcile/transition-events';

/**
 * A ClusterWriter that records every write and plays the API server: written objects get a new
 * resourceVersion and (unless `lagging`) show up in the cache at once, as a watch would deliver.
 */
export class FakeWriter implements ClusterWriter {
  readonly writes: string[] = [];
  readonly events: WorldEvent[] = [];
  /** Written objects not yet delivered to the cache (when lagging). */
  readonly undelivered: Array<() => void> = [];
  lagging = false;
  failBindings = 0;
  private version = 100;

  constructor(
    private readonly cache: ClusterCache,
    private readonly expectations?: Expectations,
  ) {}

  async applyBinding(binding: BindingObject): Promise<KubeObject> {
    if (this.failBindings > 0) {
      this.failBindings--;
      throw new Error('the server is on fire');
    }
    this.writes.push(`apply ${binding.metadata.name}`);
    const stored = structuredClone({
      ...binding,
      metadata: {
        ...binding.metadata,
        uid: `uid-${binding.metadata.name}`,
        resourceVersion: this.nextVersion(),
      },
    }) as CachedBinding;
    this.deliver(() => {
      this.cache.bindings.upsert(stored);
      this.expectations?.observe(
        `capabilitybindings/${namespaced(stored)}`,
        stored.metadata.resourceVersion,
      );
    });
    return stored;
  }

  async deleteBinding(namespace: string, name: string): Promise<void> {
    this.writes.push(`delete ${name}`);
    this.deliver(() => {
      this.cache.bindings.remove({ metadata: { namespace, name } });
      this.expectations?.observe(`capabilitybindings/${namespace}/${name}`, undefined);
    });
  }

  async applyWorldStatus(world: WorldInstance, status: WorldInstanceStatus): Promise<KubeObject> {
    this.writes.push(`status ${world.metadata.name} ${status.phase}`);
    const current = this.cache.worlds.get(
      world.metadata.namespace,
      world.metadata.name,
    ) as CachedWorld;
    // As server-side apply does: the placement sync's field stays.
    const placement = current.status?.placement;
    const stored = structuredClone({
      ...current,
      status: placement ? { ...status, placement } : status,
      metadata: { ...current.metadata, resourceVersion: this.nextVersion() },
    });
    this.deliver(() => {
      this.cache.worlds.upsert(stored);
      this.expectations?.observe(
        `worldinstances/${namespaced(stored)}`,
        stored.metadata.resourceVersion,
      );
    });
    return stored;
  }

  async applyWorldPlacement(world: WorldInstance, placement: WorldPlacement): Promise<KubeObject> {
    this.writes.push(`placement ${world.metadata.name} ${placement.replica}`);
    const current = this.cache.worlds.get(
      world.metadata.namespace,
      world.metadata.name,
    ) as CachedWorld;
    const stored = structuredClone({
      ...current,
      status: { ...current.status, placement },
      metadata: { ...current.metadata, resourceVersion: this.nextVersion() },
    });
    this.deliver(() => this.cache.worlds.upsert(stored));
    return stored;
  }

  async applyWorldMigration(world: WorldInstance, condition: Condition): Promise<KubeObject> {
    this.writes.push(`migration ${world.metadata.name} ${condition.status} ${condition.reason}`);
    const current = this.cache.worlds.get(
      world.metadata.namespace,
      world.metadata.name,
    ) as CachedWorld;
    const others = (current.status?.conditions ?? []).filter((c) => c.type !== condition.type);
    const stored = structuredClone({
      ...current,
      status: { ...current.status, conditions: [...others, condition] },
      metadata: { ...current.metadata, resourceVersion: this.nextVersion() },
    });
    this.deliver(() => this.cache.worlds.upsert(stored));
    return stored;
  }

  async recordEvent(_world: WorldInstance, event: WorldEvent): Promise<void> {
    this.events.push(event);
  }

  /** Delivers what a lagging watch held back. */
  catchUp(): void {
    for (const deliver of this.undelivered.splice(0)) deliver();
  }

  private deliver(apply: () => unknown): void {
    if (this.lagging) this.undelivered.push(apply);
    else apply();
  }

  private nextVersion(): string {
    return String(++this.version);
  }
}

const namespaced = (o: KubeObject) => `${o.metadata.namespace}/${o.metadata.name}`;
