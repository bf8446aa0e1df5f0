import type {
  Condition,
  WorldInstance,
  WorldInstanceStatus,
  WorldPlacement,
} from '@anvil/capability-model';
import { Semaphore } from '@anvil/runtime';
import type { KubeObject } from '../informers/kube-object';
import type { ClusterWriter } from './cluster-writer';
import type { BindingObject } from './desired-bindings';
import type { WorldEvent } from './transition-events';

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
