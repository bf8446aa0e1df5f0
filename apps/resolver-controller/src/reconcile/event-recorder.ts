import { describeError } from '../errors/errors';
import type { CachedWorld } from '../mapping/cluster-cache';
import type { ClusterWriter, Log } from './cluster-writer';
import type { WorldEvent } from './transition-events';

/** Where the reconciler hands its Events. */
export interface EventSink {
  record(world: CachedWorld, event: WorldEvent): void;
}

/**
 * Records Events in the background, like client-go's event broadcaster: the reconcile that
 * produced an Event does not wait for it, a failed Event is logged and dropped (the status
 * already says the same), and at most `maxPending` are in flight (more are dropped, so a
 * slow API server cannot make the controller buffer without bound). `flush` waits for them.
 */
export class EventRecorder implements EventSink {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly writer: Pick<ClusterWriter, 'recordEvent'>,
    private readonly log: Log,
    private readonly onRecorded: () => void = () => undefined,
    private readonly maxPending = 1_000,
  ) {}

  record(world: CachedWorld, event: WorldEvent): void {
    if (this.pending.size >= this.maxPending) {
      this.log.warn(
        { world: `${world.metadata.namespace}/${world.metadata.name}`, reason: event.reason },
        'too many Events in flight; dropping one',
      );
      return;
    }
    const task = this.writer.recordEvent(world, event).then(this.onRecorded, (error: unknown) =>
      this.log.warn(
        {
          world: `${world.metadata.namespace}/${world.metadata.name}`,
          reason: event.reason,
          err: describeError(error),
        },
        'could not record an Event',
      ),
    );
    const tracked = task.finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /** Events still in flight. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Waits for the Events in flight. */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}
