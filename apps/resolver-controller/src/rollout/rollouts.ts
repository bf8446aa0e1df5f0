import { workloadName } from './workload-name';
import type { ModuleVersion, NamespacedVersion } from './rollout-gate';

/** A module workload as listed: whether it runs (Ready, and not being deleted). */
export interface ObservedWorkload {
  namespace: string;
  name: string;
  ready: boolean;
  deleting: boolean;
}

/**
 * What the reconciler and the workload sync share while module versions move (both run in the
 * leader, from the same caches). The reconciler records, per world, the versions the resolver
 * wants it on (its targets, which may not be bound yet); the workload sync runs a workload for
 * each target and reports which are Ready. A change of readiness requeues the worlds that want
 * that version, so a held world moves as soon as its new version runs.
 */
export class Rollouts {
  /** World key (namespace/name) -> the versions the resolver wants it on. */
  private readonly targets = new Map<string, ModuleVersion[]>();
  /** namespace/workload name of every Ready workload, as last listed. */
  private ready = new Set<string>();

  constructor(private readonly requeue: (worldKey: string) => void) {}

  /** Records the versions the resolver wants world `worldKey` on. */
  target(worldKey: string, versions: ModuleVersion[]): void {
    this.targets.set(worldKey, versions);
  }

  /** Forgets a world (gone, or being deleted). */
  forget(worldKey: string): void {
    this.targets.delete(worldKey);
  }

  /** Forgets every world but `worldKeys` (the ones the cache holds now). */
  retain(worldKeys: ReadonlySet<string>): void {
    for (const key of this.targets.keys()) if (!worldKeys.has(key)) this.targets.delete(key);
  }

  /** Whether every one of `worldKeys` has its targets recorded (since this process started). */
  knowsAll(worldKeys: Iterable<string>): boolean {
    for (const key of worldKeys) if (!this.targets.has(key)) return false;
    return true;
  }

  /** Every world's targets, with their namespace. */
  wanted(): NamespacedVersion[] {
    const all: NamespacedVersion[] = [];
    for (const [key, versions] of this.targets) {
      const namespace = key.slice(0, key.indexOf('/'));
      for (const version of versions) all.push({ namespace, ...version });
    }
    return all;
  }

  /** The versions the resolver wants `worldKey` on (empty when unknown). */
  targetsOf(worldKey: string): ModuleVersion[] {
    return this.targets.get(worldKey) ?? [];
  }

  /** Whether the workload of `module` `version` in `namespace` was Ready when last listed. */
  isReady(namespace: string, module: string, version: string): boolean {
    return this.ready.has(`${namespace}/${workloadName(module, version)}`);
  }

  /**
   * Takes the workloads as listed: a workload that became Ready, or stopped being Ready,
   * requeues every world that wants its version.
   */
  observe(states: readonly ObservedWorkload[]): void {
    const ready = new Set(
      states.filter((s) => s.ready && !s.deleting).map((s) => `${s.namespace}/${s.name}`),
    );
    const changed = new Set<string>();
    for (const name of ready) if (!this.ready.has(name)) changed.add(name);
    for (const name of this.ready) if (!ready.has(name)) changed.add(name);
    this.ready = ready;
    if (changed.size === 0) return;
    for (const [key, versions] of this.targets) {
      const namespace = key.slice(0, key.indexOf('/'));
      const wants = versions.some((v) =>
        changed.has(`${namespace}/${workloadName(v.module, v.version)}`),
      );
      if (wants) this.requeue(key);
    }
  }
}
