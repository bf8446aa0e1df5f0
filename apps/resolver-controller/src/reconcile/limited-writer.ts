import type {
  Condition,
  WorldInstance,
  WorldInstanceStatus,
  WorldPlacement,
} from '@anvil/capability-model';
import type { KubeObject } from '../informers/kube-object';
import type { ClusterWriter } from './cluster-writer';
import type { BindingObject } from './desired-bindings';
import type { WorldEvent } from './transition-events';

/**
 * A counting semaphore: at most `limit` holders at a time; the others wait in FIFO order, those
 * in the background only while no one waits in the foreground.
 */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly waitingInBackground: Array<() => void> = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`semaphore limit must be a positive integer, got ${limit}`);
  }

  /** Runs `task` once a slot is free (`background`: once no foreground task waits for one). */
  async run<T>(task: () => Promise<T>, background = false): Promise<T> {
    if (this.active >= this.limit) {
      const queue = background ? this.waitingInBackground : this.waiting;
      await new Promise<void>((resolve) => queue.push(resolve));
    } else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift() ?? this.waitingInBackground.shift();
      if (next) next();
      else this.active--;
    }
  }

  /** Holders right now. */
  get inUse(): number {
    return this.active;
  }

  /** Callers waiting for a slot. */
  get queued(): number {
    return this.waiting.length + this.waitingInBackground.length;
  }
}

/**
 * Caps the writes in flight to the API server across all workers (client-go protects the API
 * server with a client-side rate limiter for the same reason): more workers keep the pipeline
 * full while the server never sees more than `limit` concurrent writes from this controller.
 */
export class LimitedWriter implements ClusterWriter {
  private readonly slots: Semaphore;

  constructor(
    private readonly inner: ClusterWriter,
    limit: number,
  ) {
    this.slots = new Semaphore(limit);
  }

  applyBinding(binding: BindingObject): Promise<KubeObject> {
    return this.slots.run(() => this.inner.applyBinding(binding));
  }

  deleteBinding(namespace: string, name: string, uid?: string): Promise<void> {
    return this.slots.run(() => this.inner.deleteBinding(namespace, name, uid));
  }

  applyWorldStatus(world: WorldInstance, status: WorldInstanceStatus): Promise<KubeObject> {
    return this.slots.run(() => this.inner.applyWorldStatus(world, status));
  }

  /** Events wait behind the reconciles' writes (client-go's recorder is best-effort too). */
  recordEvent(world: WorldInstance, event: WorldEvent): Promise<void> {
    return this.slots.run(() => this.inner.recordEvent(world, event), true);
  }

  applyWorldPlacement(world: WorldInstance, placement: WorldPlacement): Promise<KubeObject> {
    return this.slots.run(() => this.inner.applyWorldPlacement(world, placement));
  }

  applyWorldMigration(world: WorldInstance, condition: Condition): Promise<KubeObject> {
    return this.slots.run(() => this.inner.applyWorldMigration(world, condition));
  }
}
