import { worldIdOf, type WorldPlacement } from '@anvil/capability-model';
import type { Timers } from '@anvil/runtime';
import { PeriodicTask } from '../queue/periodic-task';
import { describeError } from '../errors/errors';
import type { CachedWorld } from '../mapping/cluster-cache';
import type { ClusterWriter, Log } from '../reconcile/cluster-writer';
import type { EventRecorder } from '../reconcile/event-recorder';
import { anyOrphaned, placementOf, samePlacement, type LeaseView } from '@anvil/control-plane';
import { placementEvent } from './placement-status';

/** What the sync needs. */
export interface PlacementSyncDeps {
  /** The worlds the informers hold. */
  worlds: () => CachedWorld[];
  /** The physics leases by world id (the world registry's database). */
  leases: () => Promise<Map<string, LeaseView>>;
  /** The newest state format the live physics replicas read (undefined: none live, or unknown). */
  readableFormat?: () => Promise<number | undefined>;
  writer: Pick<ClusterWriter, 'applyWorldPlacement'>;
  events: Pick<EventRecorder, 'record'>;
  everyMs: number;
  timers: Timers;
  log: Log;
}

/**
 * Mirrors where each world runs into its status (`status.placement`, the Replica column of
 * `kubectl get worlds`) and its placement history into Events, every `everyMs` while leading.
 * The leases are the truth (the data plane places worlds itself); this only reports them.
 */
export class PlacementSync {
  private readonly task: PeriodicTask;
  /** What was last written per world, so a world is written once per change. */
  private readonly written = new Map<string, WorldPlacement>();

  constructor(private readonly deps: PlacementSyncDeps) {
    this.task = new PeriodicTask(() => this.sync(), {
      everyMs: deps.everyMs,
      timers: deps.timers,
      onError: (error) => deps.log.warn({ err: describeError(error) }, 'placement sync failed'),
    });
  }

  start(): void {
    this.task.start();
  }

  async stop(): Promise<void> {
    await this.task.stop();
  }

  /** One pass: every world whose placement changed gets its status and an Event. */
  async sync(): Promise<void> {
    const leases = await this.deps.leases();
    // Only an orphan needs the replicas' formats (to say why it waits).
    const readable = anyOrphaned(leases.values()) ? await this.deps.readableFormat?.() : undefined;
    const worlds = this.deps.worlds();
    const ids = new Set(worlds.map((w) => worldIdOf(w.metadata)));
    for (const id of this.written.keys()) if (!ids.has(id)) this.written.delete(id);
    for (const world of worlds) {
      const id = worldIdOf(world.metadata);
      const next = placementOf(leases.get(id), readable);
      const previous = this.written.get(id) ?? world.status?.placement;
      if (!next || samePlacement(previous, next)) continue;
      await this.deps.writer.applyWorldPlacement(world, next);
      this.written.set(id, next);
      const event = placementEvent(previous, next);
      if (event) this.deps.events.record(world, event);
    }
  }
}
