import { randomBytes } from 'node:crypto';
import { worldIdOf } from '@anvil/capability-model';
import { staleRecords } from '@anvil/control-plane';
import { describeError, isTerminal } from '../errors/errors';
import { LeaderElector, type LeaderElectorOptions } from '../leader/leader-elector';
import type { LeaseClient } from '../leader/lease-client';
import type { ControllerMetrics } from '../metrics/controller-metrics';
import { FailureBackoff } from '../queue/backoff';
import { wallClock, unrefTimers, type Clock, type Timers } from '@anvil/runtime';
import { WorkQueue, type HandlerOutcome } from '../queue/work-queue';
import type { ClusterWriter, Log, WriteKind } from '../reconcile/cluster-writer';
import { EventRecorder } from '../reconcile/event-recorder';
import { Expectations } from '../reconcile/expectations';
import { Reconciler } from '../reconcile/reconciler';
import type { WorldRegistry } from '../registry/world-registry';
import { PlacementSync } from '../placement/placement-sync';
import { Rollouts } from '../rollout/rollouts';
import { WorkloadSync, type WorkloadWriter } from '../workloads/workload-sync';
import { InformerSet, type ResourceSources } from './informer-set';

/** Everything the controller is built from (the Nest module wires the real ones). */
export interface ResolverControllerDeps {
  sources: ResourceSources;
  writer: ClusterWriter;
  /** Leader election; undefined runs without it (a single replica leads at once). */
  election?: { client: LeaseClient; options: LeaderElectorOptions };
  concurrency: number;
  retry: { baseDelayMs: number; maxDelayMs: number };
  metrics: ControllerMetrics;
  log: Log;
  clock?: Clock;
  timers?: Timers;
  /** Where worlds are published for the data plane; closed by stop(). */
  registry?: WorldRegistry;
  /** The one namespace watched (undefined: all), whose registry records the sweep may remove. */
  namespace?: string;
  /** How often world placements are mirrored into status (with a registry that has them). */
  placementSyncMs?: number;
  /** Module workloads (MODULE_WORKLOADS): where they are written, and how often compared. */
  workloads?: { writer: WorkloadWriter; syncMs: number };
}

/** Default period of the placement sync (status.placement, placement Events). */
export const DEFAULT_PLACEMENT_SYNC_MS = 2_000;

/**
 * The resolver controller: informers -> work queue -> reconcile. Informers run on every
 * replica (a standby has warm caches); only the leader's workers reconcile. Gaining the lease
 * starts the workers and requeues every world; losing it pauses them.
 */
export class ResolverController {
  readonly informers: InformerSet;
  private readonly queue: WorkQueue;
  private readonly reconciler: Reconciler;
  private readonly elector?: LeaderElector;
  private readonly events: EventRecorder;
  private readonly placements?: PlacementSync;
  private readonly workloads?: WorkloadSync;
  private readonly log: Log;
  private started = false;
  private stopping = false;
  private reconcileCount = 0;

  constructor(private readonly deps: ResolverControllerDeps) {
    const clock = deps.clock ?? wallClock;
    const timers = deps.timers ?? unrefTimers;
    this.log = deps.log;
    const expectations = new Expectations(clock);
    this.informers = new InformerSet(
      deps.sources,
      expectations,
      {
        enqueue: (key) => this.queue.add(key),
        onWatchEnd: (resource, reason) => deps.metrics.watchRestarted(resource, reason),
        onSynced: (resource) => deps.metrics.informerSynced(resource),
      },
      deps.log,
      { clock, timers },
    );
    this.events = new EventRecorder(deps.writer, deps.log, () => deps.metrics.wrote('event'));
    const onWrite = (kind: WriteKind) => deps.metrics.wrote(kind);
    const rollouts = deps.workloads && new Rollouts((key) => this.queue.add(key));
    this.reconciler = new Reconciler({
      cache: this.informers.cache,
      writer: deps.writer,
      expectations,
      clock,
      events: this.events,
      onWrite,
      registry: deps.registry,
      rollouts,
    });
    const { registry } = deps;
    /** A write that counts in the writes metric once it succeeded. */
    const counted =
      <A extends unknown[], R>(kind: WriteKind, write: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        const result = await write(...args);
        deps.metrics.wrote(kind);
        return result;
      };
    if (registry?.placements) {
      this.placements = new PlacementSync({
        worlds: () => this.informers.cache.worlds.list(),
        leases: () => registry.placements!(),
        readableFormat: registry.readableFormat && (() => registry.readableFormat!()),
        writer: {
          applyWorldPlacement: counted('placement', (world, placement) =>
            deps.writer.applyWorldPlacement(world, placement),
          ),
        },
        events: this.events,
        everyMs: deps.placementSyncMs ?? DEFAULT_PLACEMENT_SYNC_MS,
        timers,
        log: deps.log,
      });
    }
    if (deps.workloads && rollouts) {
      this.workloads = new WorkloadSync({
        rollouts,
        manifests: () => this.informers.cache.manifests.list(),
        bindings: () => this.informers.cache.bindings.list(),
        worlds: () => this.informers.cache.worlds.list(),
        writer: deps.workloads.writer,
        status: {
          applyWorldMigration: counted('migration', (world, condition) =>
            deps.writer.applyWorldMigration(world, condition),
          ),
        },
        events: this.events,
        namespace: deps.namespace,
        everyMs: deps.workloads.syncMs,
        timers,
        log: deps.log,
      });
    }
    this.queue = new WorkQueue({
      handler: (key) => this.reconcile(key),
      concurrency: deps.concurrency,
      backoff: new FailureBackoff({ ...deps.retry, jitter: 0.5 }),
      timers,
      isTerminal,
      hooks: {
        onDone: (key, outcome, ms, error, retryInMs) =>
          this.done(key, outcome, ms, error, retryInMs),
        onDepth: (d) => deps.metrics.queueDepth(d),
      },
    });
    if (deps.election) {
      const callbacks = {
        onStartedLeading: () => this.startLeading(),
        onStoppedLeading: () => void this.stopLeading(),
        onNewLeader: (id: string) => this.log.info({ leader: id }, 'leader observed'),
      };
      this.elector = new LeaderElector(
        deps.election.client,
        deps.election.options,
        callbacks,
        deps.log,
        clock,
        timers,
      );
    }
  }

  /** True once every informer has synced (readiness). */
  get ready(): boolean {
    return this.informers.synced;
  }

  /** Starts the informers, waits for them to sync, then campaigns for leadership (or leads). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.informers.start();
    await this.informers.waitForSync();
    if (this.stopping) return;
    this.log.info({}, 'informers synced');
    if (this.elector) this.elector.start();
    else this.startLeading();
  }

  /** Graceful stop: pause the workers (in-flight reconciles finish), release the lease, stop watching. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.placements?.stop();
    await this.workloads?.stop();
    await this.queue.stop();
    await this.events.flush();
    await this.elector?.stop();
    this.deps.metrics.leading(false);
    await this.informers.stop();
    await this.queue.shutDown();
    await this.deps.registry?.close();
  }

  private startLeading(): void {
    if (this.stopping) return;
    this.log.info({}, 'leading: reconciling');
    this.deps.metrics.leading(true);
    for (const world of this.informers.cache.worlds.list())
      this.queue.add(`${world.metadata.namespace}/${world.metadata.name}`);
    this.queue.start();
    this.placements?.start();
    this.workloads?.start();
    void this.sweepRegistry();
  }

  /** Removes the records of worlds deleted while no replica was leading (best effort). */
  private async sweepRegistry(): Promise<void> {
    const { registry } = this.deps;
    if (!registry) return;
    try {
      const live = new Set(this.informers.cache.worlds.list().map((w) => worldIdOf(w.metadata)));
      const stale = staleRecords(await registry.list(this.deps.namespace), live);
      for (const id of stale) await registry.remove(id);
      if (stale.length) this.log.info({ removed: stale }, 'world registry: removed deleted worlds');
    } catch (error) {
      this.log.warn({ err: describeError(error) }, 'world registry: sweep failed');
    }
  }

  private async stopLeading(): Promise<void> {
    this.log.warn({}, 'not leading: reconciling paused');
    this.deps.metrics.leading(false);
    await this.placements?.stop();
    await this.workloads?.stop();
    await this.queue.stop();
  }

  private reconcile(key: string) {
    const reconcileId = `${(++this.reconcileCount).toString(36)}-${randomBytes(3).toString('hex')}`;
    return this.reconciler.reconcile(key, this.log.child({ world: key, reconcileId }));
  }

  private done(
    key: string,
    outcome: HandlerOutcome,
    durationMs: number,
    error?: unknown,
    retryInMs?: number,
  ): void {
    this.deps.metrics.reconciled(outcome, durationMs);
    if (outcome === 'error')
      this.log.warn(
        {
          world: key,
          err: describeError(error),
          retryInMs: Math.round(retryInMs ?? 0),
          failures: this.queue.failures(key),
        },
        'reconcile failed; retrying with backoff',
      );
    if (outcome === 'terminal')
      this.log.error(
        { world: key, err: describeError(error) },
        'reconcile failed permanently; not retried until the world changes',
      );
  }
}
