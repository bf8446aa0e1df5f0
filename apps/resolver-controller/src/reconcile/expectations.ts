import type { Clock } from '@anvil/runtime';

interface Expectation {
  worldKey: string;
  /** The resourceVersion our write produced; null when we expect the object to be gone. */
  resourceVersion: string | null;
  at: number;
}

/**
 * Writes the informer caches have not shown yet (the ReplicaSet controller's expectations).
 * After writing a binding or a world's status, the reconciler records the resourceVersion the
 * API server returned; until the watch delivers that version the cache is stale for that
 * world, and reconciling from it would redo writes and repeat Events. A world with pending
 * expectations is skipped; the event that satisfies them requeues it. Expectations expire
 * after `ttlMs` (a watch that skipped a version cannot block a world for long) and are
 * dropped when a resource is relisted (the list is newer than every write before it).
 */
export class Expectations {
  private readonly pending = new Map<string, Expectation>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = 30_000,
  ) {}

  /**
   * Expects the cache to show `resourceVersion` of `objectKey` (e.g. "capabilitybindings/ns/n").
   * Nothing is recorded when the cache already shows it (`cachedVersion`).
   */
  expectVersion(
    worldKey: string,
    objectKey: string,
    resourceVersion: string | undefined,
    cachedVersion: string | undefined,
  ): void {
    if (!resourceVersion || resourceVersion === cachedVersion) {
      this.pending.delete(objectKey);
      return;
    }
    this.pending.set(objectKey, { worldKey, resourceVersion, at: this.clock.now() });
  }

  /** Expects the cache to lose `objectKey`; nothing recorded when it is already gone. */
  expectDeletion(worldKey: string, objectKey: string, stillCached: boolean): void {
    if (!stillCached) {
      this.pending.delete(objectKey);
      return;
    }
    this.pending.set(objectKey, { worldKey, resourceVersion: null, at: this.clock.now() });
  }

  /** The cache now shows `objectKey` at `resourceVersion`, or (undefined) without it. */
  observe(objectKey: string, resourceVersion: string | undefined): void {
    const expectation = this.pending.get(objectKey);
    if (!expectation) return;
    if (
      resourceVersion === undefined
        ? expectation.resourceVersion === null
        : expectation.resourceVersion === resourceVersion
    ) {
      this.pending.delete(objectKey);
    }
  }

  /** Milliseconds until the world's last pending expectation expires (0: the cache is current). */
  waitMs(worldKey: string): number {
    const now = this.clock.now();
    let wait = 0;
    for (const [objectKey, e] of this.pending) {
      if (e.worldKey !== worldKey) continue;
      const left = e.at + this.ttlMs - now;
      if (left <= 0) this.pending.delete(objectKey);
      else wait = Math.max(wait, left);
    }
    return wait;
  }

  /** Drops the expectations of objects whose key starts with `prefix` (a relisted resource). */
  clear(prefix = ''): void {
    for (const key of [...this.pending.keys()])
      if (key.startsWith(prefix)) this.pending.delete(key);
  }

  /** Drops every expectation of a world (it was deleted). */
  forgetWorld(worldKey: string): void {
    for (const [key, e] of [...this.pending]) if (e.worldKey === worldKey) this.pending.delete(key);
  }

  /** Number of pending expectations. */
  get size(): number {
    return this.pending.size;
  }
}
