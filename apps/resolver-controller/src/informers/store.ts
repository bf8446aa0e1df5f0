import { objectKey, type KubeObject } from './kube-object';

/** A change the store saw: what informer handlers receive. */
export type Delta<T extends KubeObject> =
  | { type: 'added'; object: T }
  | { type: 'updated'; object: T; old: T }
  | { type: 'deleted'; object: T };

/** Computes the index values of an object (e.g. the game a world refers to). */
export type IndexFunc<T> = (obj: T) => readonly string[];

/**
 * The in-memory cache of one kind (client-go's thread-safe store + indexer): objects by
 * `namespace/name`, secondary indexes kept up to date on every change, and the deltas that a
 * list (replace) or a watch event (upsert/remove) caused. Pure: no IO.
 */
export class Store<T extends KubeObject> {
  private readonly objects = new Map<string, T>();
  private readonly indexes = new Map<string, Map<string, Set<string>>>();

  constructor(private readonly indexers: Record<string, IndexFunc<T>> = {}) {
    for (const name of Object.keys(indexers)) this.indexes.set(name, new Map());
  }

  /** The object with this namespace and name. */
  get(namespace: string | undefined, name: string): T | undefined {
    return this.objects.get(namespace ? `${namespace}/${name}` : name);
  }

  /** The object with this `namespace/name` key. */
  getByKey(key: string): T | undefined {
    return this.objects.get(key);
  }

  /** Every object, or those of one namespace. */
  list(namespace?: string): T[] {
    const all = [...this.objects.values()];
    return namespace === undefined
      ? all
      : all.filter((o) => (o.metadata.namespace ?? '') === namespace);
  }

  /** Objects whose index `indexName` has `value`. */
  byIndex(indexName: string, value: string): T[] {
    const index = this.indexes.get(indexName);
    if (!index) throw new RangeError(`unknown index ${indexName}`);
    return [...(index.get(value) ?? [])].map((key) => this.objects.get(key) as T);
  }

  get size(): number {
    return this.objects.size;
  }

  /** Adds or replaces an object; no delta when its resourceVersion is unchanged. */
  upsert(obj: T): Delta<T> | undefined {
    const key = objectKey(obj);
    const old = this.objects.get(key);
    if (
      old &&
      old.metadata.resourceVersion !== undefined &&
      old.metadata.resourceVersion === obj.metadata.resourceVersion
    )
      return undefined;
    if (old) this.unindex(key, old);
    this.objects.set(key, obj);
    this.index(key, obj);
    return old ? { type: 'updated', object: obj, old } : { type: 'added', object: obj };
  }

  /** Removes an object (the last state the store knew is reported). */
  remove(obj: KubeObject): Delta<T> | undefined {
    const key = objectKey(obj);
    const old = this.objects.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.objects.delete(key);
    return { type: 'deleted', object: old };
  }

  /** Makes the store hold exactly `items` (a relist) and returns what changed. */
  replace(items: readonly T[]): Delta<T>[] {
    const deltas: Delta<T>[] = [];
    const keep = new Set(items.map(objectKey));
    for (const [key, obj] of [...this.objects]) {
      if (!keep.has(key)) deltas.push(this.remove(obj) as Delta<T>);
    }
    for (const item of items) {
      const delta = this.upsert(item);
      if (delta) deltas.push(delta);
    }
    return deltas;
  }

  private index(key: string, obj: T): void {
    for (const [name, fn] of Object.entries(this.indexers)) {
      const index = this.indexes.get(name) as Map<string, Set<string>>;
      for (const value of fn(obj)) {
        let keys = index.get(value);
        if (!keys) index.set(value, (keys = new Set()));
        keys.add(key);
      }
    }
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of Object.entries(this.indexers)) {
      const index = this.indexes.get(name) as Map<string, Set<string>>;
      for (const value of fn(obj)) {
        const keys = index.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(value);
      }
    }
  }
}
