import {
  entryBinding,
  isResolved,
  resolveWorld,
  type ModuleManifest,
  type Resolution,
} from '@anvil/capability-model';
import {
  computeWorldStatus,
  sameStatus,
  worldIdOfKey,
  worldRecord,
  type ApplyOutcome,
} from '@anvil/control-plane';
import { ApplyBindingsError, describeError } from '../errors/errors';
import { RESOURCES, type CachedWorld, type ClusterCache } from '../mapping/cluster-cache';
import { objectKey } from '../informers/kube-object';
import type { Clock } from '@anvil/runtime';
import type { WorldRegistry } from '../registry/world-registry';
import { boundVersions, heldManifests, resolvedVersions } from '../rollout/rollout-gate';
import type { Rollouts } from '../rollout/rollouts';
import { withWorkloadHost } from '../rollout/workload-hosts';
import type { HandlerResult } from '../queue/work-queue';
import type { ClusterWriter, Log, WriteKind } from './cluster-writer';
import { desiredBindings } from './desired-bindings';
import type { EventSink } from './event-recorder';
import type { Expectations } from './expectations';
import { planBindingChanges, type BindingPlan } from './plan-binding-changes';
import { transitionEvents, type BindingChangeCounts } from './transition-events';

/** What the reconciler needs. */
export interface ReconcilerDeps {
  cache: ClusterCache;
  writer: ClusterWriter;
  expectations: Expectations;
  clock: Clock;
  /** Where Events go (recorded in the background). */
  events: EventSink;
  /** Called after every successful write (metrics). */
  onWrite?: (kind: WriteKind) => void;
  /** Where each world's phase and bindings are published for the data plane (optional). */
  registry?: WorldRegistry;
  /**
   * With module workloads: where each world's target versions are recorded, and which versions
   * run. A world then moves to a new module version only once its workload is Ready.
   */
  rollouts?: Rollouts;
}

/**
 * Reconciles one world (controller-runtime's contract): the key comes in, the current state is
 * read from the informer caches, the pure functions compute what should be, and only the
 * difference is written: bindings by server-side apply, stale bindings deleted, the status
 * through its subresource, Events on transitions. A missing world is done (its bindings go
 * with it through their owner reference); a thrown error is retried with backoff.
 */
export class Reconciler {
  constructor(private readonly deps: ReconcilerDeps) {}

  /** Reconciles the world `namespace/name`. */
  async reconcile(key: string, log: Log): Promise<HandlerResult | void> {
    const { cache, expectations } = this.deps;
    const world = cache.worlds.getByKey(key);
    if (!world) {
      expectations.forgetWorld(key);
      this.deps.rollouts?.forget(key);
      await this.deps.registry?.remove(worldIdOfKey(key));
      log.debug({}, 'world is gone; nothing to do');
      return;
    }
    if (world.metadata.deletionTimestamp) {
      this.deps.rollouts?.forget(key);
      return;
    }
    const wait = expectations.waitMs(key);
    if (wait > 0) {
      log.debug(
        { waitMs: wait },
        'the cache has not caught up with our last writes; waiting for it',
      );
      return { requeueAfterMs: wait };
    }
    const resolved = this.resolveWorld(world, key);
    const { resolution } = resolved;
    // With module workloads, each version is reached at its own Service.
    const manifests = this.deps.rollouts
      ? resolved.manifests.map(withWorkloadHost)
      : resolved.manifests;
    const desired = desiredBindings(world, resolution, manifests);
    const plan = planBindingChanges(desired, cache.bindingsOf(key));
    const { outcome, error, counts } = await this.applyPlan(key, plan, log);
    const next = computeWorldStatus(
      world,
      resolution,
      world.status,
      new Date(this.deps.clock.now()),
      outcome,
    );
    if (!sameStatus(world.status, next)) {
      try {
        const written = await this.deps.writer.applyWorldStatus(world, next);
        this.wrote('status');
        const statusKey = `${RESOURCES.worlds}/${key}`;
        expectations.expectVersion(
          key,
          statusKey,
          written.metadata.resourceVersion,
          cache.worlds.getByKey(key)?.metadata.resourceVersion,
        );
        log.info({ phase: next.phase, bindings: next.bindingCount }, 'status updated');
      } catch (statusError) {
        throw error ?? statusError;
      }
    }
    for (const event of transitionEvents(world.status, next, counts))
      this.deps.events.record(world, event);
    try {
      const entry = entryBinding(resolution.participants, manifests, world.metadata.namespace);
      await this.deps.registry?.record(worldRecord(world, next.phase ?? 'Pending', desired, entry));
    } catch (registryError) {
      throw error ?? registryError;
    }
    if (error) throw error;
  }

  /**
   * Runs the resolver on the cached game and manifests of the world's namespace. With module
   * workloads, the versions it chose are the world's targets; while a target's workload is not
   * Ready the world keeps the version it binds (heldManifests), unless that no longer resolves.
   */
  private resolveWorld(
    world: CachedWorld,
    key: string,
  ): { resolution: Resolution; manifests: ModuleManifest[] } {
    const namespace = world.metadata.namespace ?? '';
    const manifests = this.deps.cache.manifestsIn(namespace);
    const gameRef = world.spec?.gameRef;
    const game =
      typeof gameRef === 'string' ? this.deps.cache.games.get(namespace, gameRef) : undefined;
    const resolution = resolveWorld(world, game, manifests);
    const { rollouts } = this.deps;
    if (!rollouts) return { resolution, manifests };
    const targets = resolvedVersions(resolution);
    rollouts.target(key, targets);
    const held = heldManifests(
      targets,
      boundVersions(this.deps.cache.bindingsOf(key)),
      manifests,
      (module, version) => rollouts.isReady(namespace, module, version),
    );
    if (!held) return { resolution, manifests };
    const holding = resolveWorld(world, game, held);
    return isResolved(holding)
      ? { resolution: holding, manifests: held }
      : { resolution, manifests };
  }

  /** Writes the plan (all writes in parallel); failures are collected, not thrown. */
  private async applyPlan(
    worldKey: string,
    plan: BindingPlan,
    log: Log,
  ): Promise<{ outcome: ApplyOutcome; error?: Error; counts: BindingChangeCounts }> {
    const { writer, expectations, cache } = this.deps;
    const failures: Array<{ name: string; error: unknown }> = [];
    const counts: BindingChangeCounts = { created: 0, updated: 0, deleted: 0 };
    const apply = async (binding: (typeof plan.create)[number], counter: 'created' | 'updated') => {
      const written = await writer.applyBinding(binding);
      this.wrote('binding_apply');
      counts[counter]++;
      const key = `${RESOURCES.bindings}/${objectKey(binding)}`;
      expectations.expectVersion(
        worldKey,
        key,
        written.metadata.resourceVersion,
        cache.bindings.getByKey(objectKey(binding))?.metadata.resourceVersion,
      );
    };
    const remove = async ({ namespace, name, uid }: BindingPlan['delete'][number]) => {
      await writer.deleteBinding(namespace, name, uid);
      this.wrote('binding_delete');
      counts.deleted++;
      expectations.expectDeletion(
        worldKey,
        `${RESOURCES.bindings}/${namespace}/${name}`,
        cache.bindings.get(namespace, name) !== undefined,
      );
    };
    const tasks = [
      ...plan.create.map((b) => [b.metadata.name, apply(b, 'created')] as const),
      ...plan.update.map((b) => [b.metadata.name, apply(b, 'updated')] as const),
      ...plan.delete.map((d) => [d.name, remove(d)] as const),
    ];
    const results = await Promise.allSettled(tasks.map(([, task]) => task));
    results.forEach((result, i) => {
      if (result.status === 'rejected') failures.push({ name: tasks[i][0], error: result.reason });
    });
    if (tasks.length > 0) log.info({ ...counts, failed: failures.length }, 'bindings written');
    if (failures.length === 0) return { outcome: { state: 'applied' }, counts };
    const error = new ApplyBindingsError(failures, { cause: failures[0].error });
    return {
      outcome: { state: 'failed', message: describeError(failures[0].error) },
      error,
      counts,
    };
  }

  private wrote(kind: WriteKind): void {
    this.deps.onWrite?.(kind);
  }
}
