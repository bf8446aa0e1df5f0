import type {
  CachedBinding,
  CachedGame,
  CachedManifest,
  CachedWorld,
} from '../mapping/cluster-cache';
import { ClusterCache, RESOURCES } from '../mapping/cluster-cache';
import { objectKey, type KubeObject } from '../informers/kube-object';
import type { ListWatchSource } from '../informers/list-watch';
import { Reflector, type WatchEnd } from '../informers/reflector';
import type { Delta, Store } from '../informers/store';
import {
  worldKeysForBinding,
  worldKeysForGame,
  worldKeysForManifest,
  worldKeysForWorld,
} from '../mapping/mappers';
import type { Clock, Timers } from '@anvil/runtime';
import type { Log } from '../reconcile/cluster-writer';
import type { Expectations } from '../reconcile/expectations';

/** The list/watch sources of the four kinds. */
export interface ResourceSources {
  manifests: ListWatchSource<CachedManifest>;
  games: ListWatchSource<CachedGame>;
  worlds: ListWatchSource<CachedWorld>;
  bindings: ListWatchSource<CachedBinding>;
}

/** Observers of the informers. */
export interface InformerHooks {
  /** Informer handlers only enqueue: this receives the world keys a change maps to. */
  enqueue(key: string): void;
  onWatchEnd?(resource: string, reason: WatchEnd, error?: unknown): void;
  onSynced?(resource: string): void;
}

/**
 * The four informers: a reflector per kind feeding the shared ClusterCache, with handlers that
 * note what the expectations wait for and enqueue the affected worlds (nothing else).
 */
export class InformerSet {
  readonly cache = new ClusterCache();
  private readonly reflectors: Array<Reflector<KubeObject>> = [];

  constructor(
    sources: ResourceSources,
    private readonly expectations: Expectations,
    private readonly hooks: InformerHooks,
    private readonly log: Log,
    time: { clock?: Clock; timers?: Timers } = {},
  ) {
    const { cache } = this;
    this.add(sources.manifests, cache.manifests, (d) => worldKeysForManifest(d, cache), time);
    this.add(sources.games, cache.games, (d) => worldKeysForGame(d, cache), time);
    this.add(sources.worlds, cache.worlds, worldKeysForWorld, time);
    this.add(sources.bindings, cache.bindings, worldKeysForBinding, time);
  }

  /** True once every informer has listed its resource. */
  get synced(): boolean {
    return this.reflectors.every((r) => r.hasSynced);
  }

  /** Starts listing and watching. */
  start(): void {
    for (const reflector of this.reflectors) reflector.start();
  }

  /** Resolves once every informer has synced. */
  async waitForSync(): Promise<void> {
    await Promise.all(this.reflectors.map((r) => r.waitForSync()));
  }

  /** Stops every watch. */
  async stop(): Promise<void> {
    await Promise.all(this.reflectors.map((r) => r.stop()));
  }

  private add<T extends KubeObject>(
    source: ListWatchSource<T>,
    store: Store<T>,
    map: (delta: Delta<T>) => string[],
    time: { clock?: Clock; timers?: Timers },
  ): void {
    const resource = source.resource;
    let listed = false;
    const reflector = new Reflector<T>({
      source,
      store,
      ...time,
      onDelta: (delta) => {
        const key = `${resource}/${objectKey(delta.object)}`;
        this.expectations.observe(
          key,
          delta.type === 'deleted' ? undefined : delta.object.metadata.resourceVersion,
        );
        for (const worldKey of map(delta)) this.hooks.enqueue(worldKey);
      },
      onList: (count) => {
        this.expectations.clear(`${resource}/`);
        this.log.info({ resource, count }, listed ? 'relisted' : 'listed');
        if (!listed) this.hooks.onSynced?.(resource);
        listed = true;
      },
      onWatchEnd: (reason, error) => {
        const fields = { resource, reason, err: error instanceof Error ? error.message : error };
        if (reason === 'closed') this.log.debug(fields, 'watch closed by the server; resuming');
        else this.log.warn(fields, 'watch failed; relisting');
        this.hooks.onWatchEnd?.(resource, reason, error);
      },
      onListError: (error) =>
        this.log.warn(
          { resource, err: error instanceof Error ? error.message : String(error) },
          'list failed; retrying with backoff',
        ),
    });
    this.reflectors.push(reflector as unknown as Reflector<KubeObject>);
  }
}

export { RESOURCES };
