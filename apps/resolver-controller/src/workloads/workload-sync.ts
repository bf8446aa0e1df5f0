import { worldIdOf, type Condition } from '@anvil/capability-model';
import { CONDITION, findCondition, timestamp } from '@anvil/control-plane';
import type { Timers } from '@anvil/runtime';
import { objectKey } from '../informers/kube-object';
import { PeriodicTask } from '../queue/periodic-task';
import { describeError } from '../errors/errors';
import type { CachedBinding, CachedManifest, CachedWorld } from '../mapping/cluster-cache';
import type { ClusterWriter, Log } from '../reconcile/cluster-writer';
import type { EventSink } from '../reconcile/event-recorder';
import { boundVersions } from '../rollout/rollout-gate';
import type { Rollouts } from '../rollout/rollouts';
import { bindingVersions, desiredWorkloads, type ModuleWorkload } from './desired-workloads';
import { migrationChange, migrationOf } from './migration-status';
import { planWorkloads, type WorkloadPlan, type WorkloadState } from './workload-plan';

/** The writes of the workload sync (server-side apply, owned by the manifest). */
export interface WorkloadWriter {
  /** Applies the workload's Deployment and Service. */
  applyWorkload(workload: ModuleWorkload): Promise<void>;
  /** The module workloads this controller manages, in `namespace` (undefined: all). */
  listWorkloads(namespace: string | undefined): Promise<WorkloadState[]>;
  /**
   * Deletes a workload's Service and its Deployment, in the foreground (the Deployment stays,
   * marked deleting, until its pods are gone); gone already is fine.
   */
  deleteWorkload(namespace: string, name: string): Promise<void>;
}

/** What the sync needs. */
export interface WorkloadSyncDeps {
  manifests: () => CachedManifest[];
  bindings: () => CachedBinding[];
  worlds: () => CachedWorld[];
  /** The worlds' target versions (from the reconciler), and where readiness is reported. */
  rollouts: Rollouts;
  writer: WorkloadWriter;
  /** Where a world's Migrating condition is written. */
  status: Pick<ClusterWriter, 'applyWorldMigration'>;
  events: EventSink;
  /** The one namespace watched (undefined: all). */
  namespace: string | undefined;
  everyMs: number;
  timers: Timers;
  log: Log;
  now?: () => Date;
}

/**
 * Runs the bound module versions (docs/controller.md, "Module workloads"): every `everyMs`
 * while leading, each ModuleManifest version that a world's binding names, or that the resolver
 * wants a world on (its targets, from the reconciler), gets its Deployment and headless Service
 * (from the manifest's image and endpoint, owned by the manifest, so deleting the manifest
 * deletes them), and a workload no binding names any more is deleted once the workloads of its
 * module that the worlds moved to are Ready (planWorkloads). Each pass reports which workloads
 * are Ready to the reconciler's gate (Rollouts), which holds a world on the version it binds
 * until its target runs. Each world whose module versions are moving says so in its Migrating
 * condition and Events (migrationOf). A workload is applied when it is missing or its desired
 * objects changed since it was last applied, so a quiet cluster costs one list per period.
 */
export class WorkloadSync {
  private readonly task: PeriodicTask;
  /** What was last applied per workload (namespace/name -> JSON of its objects). */
  private readonly applied = new Map<string, string>();
  /** The Migrating condition last written per world id (the cache may not show it yet). */
  private readonly written = new Map<string, Condition>();

  constructor(private readonly deps: WorkloadSyncDeps) {
    this.task = new PeriodicTask(() => this.sync(), {
      everyMs: deps.everyMs,
      timers: deps.timers,
      onError: (error) =>
        deps.log.warn({ err: describeError(error) }, 'module workload sync failed'),
    });
  }

  start(): void {
    this.task.start();
  }

  async stop(): Promise<void> {
    await this.task.stop();
  }

  /**
   * One pass: report readiness, then (once every world has its targets) apply what is missing
   * or changed, delete what is no longer bound once what replaces it is Ready, and tell each
   * world whose module versions are moving.
   */
  async sync(): Promise<void> {
    const { writer, log, rollouts } = this.deps;
    const existing = await writer.listWorkloads(this.deps.namespace);
    rollouts.observe(existing);
    const worlds = this.deps.worlds();
    const live = worlds.filter((w) => !w.metadata.deletionTimestamp).map((w) => objectKey(w));
    // A world deleted while another replica led was never reconciled here as gone.
    rollouts.retain(new Set(live));
    if (!rollouts.knowsAll(live)) {
      log.debug({}, 'not every world is reconciled yet; the workloads wait for their targets');
      return;
    }
    const bindings = this.deps.bindings();
    const desired = desiredWorkloads(this.deps.manifests(), [
      ...bindingVersions(bindings),
      ...rollouts.wanted(),
    ]);
    const present = new Set(existing.map((w) => `${w.namespace}/${w.name}`));
    const plan = planWorkloads(desired, existing);
    for (const workload of plan.apply) {
      const key = `${workload.namespace}/${workload.name}`;
      const body = JSON.stringify([workload.deployment, workload.service]);
      if (present.has(key) && this.applied.get(key) === body) continue;
      await writer.applyWorkload(workload);
      this.applied.set(key, body);
      log.info(
        { workload: key, manifest: workload.manifest },
        present.has(key) ? 'module workload updated' : 'module workload created',
      );
    }
    for (const { namespace, name } of plan.remove) {
      const key = `${namespace}/${name}`;
      await writer.deleteWorkload(namespace, name);
      this.applied.delete(key);
      log.info({ workload: key }, 'module workload deleted: no world binds its module version');
    }
    const deleted = new Set(plan.remove.map((w) => `${w.namespace}/${w.name}`));
    const states = existing.map((w) =>
      deleted.has(`${w.namespace}/${w.name}`) ? { ...w, deleting: true } : w,
    );
    await this.tellWorlds(worlds, bindings, plan, states);
  }

  /**
   * Writes the Migrating condition (and its Event) of every world whose move changed. A world
   * whose write fails is logged and tried again next pass; the others go on.
   */
  private async tellWorlds(
    worlds: readonly CachedWorld[],
    bindings: readonly CachedBinding[],
    plan: WorkloadPlan,
    states: WorkloadState[],
  ): Promise<void> {
    const byWorld = new Map<string, CachedBinding[]>();
    for (const binding of bindings) {
      const key = `${binding.metadata.namespace ?? ''}/${binding.spec.worldRef}`;
      const list = byWorld.get(key);
      if (list) list.push(binding);
      else byWorld.set(key, [binding]);
    }
    const now = timestamp(this.deps.now?.() ?? new Date());
    const ids = new Set(worlds.map((w) => worldIdOf(w.metadata)));
    for (const id of this.written.keys()) if (!ids.has(id)) this.written.delete(id);
    for (const world of worlds) {
      const namespace = world.metadata.namespace ?? '';
      const own = byWorld.get(`${namespace}/${world.metadata.name}`) ?? [];
      const id = worldIdOf(world.metadata);
      const previous = this.written.get(id) ?? findCondition(world.status, CONDITION.migrating);
      const targets = this.deps.rollouts.targetsOf(objectKey(world));
      const migration = migrationOf(namespace, boundVersions(own), targets, plan, states);
      const change = migrationChange(previous, migration, now);
      if (!change) continue;
      try {
        await this.deps.status.applyWorldMigration(world, change.condition);
      } catch (error) {
        this.deps.log.warn(
          { world: `${namespace}/${world.metadata.name}`, err: describeError(error) },
          'could not write the Migrating condition; next pass tries again',
        );
        continue;
      }
      this.written.set(id, change.condition);
      if (change.event) this.deps.events.record(world, change.event);
    }
  }
}
