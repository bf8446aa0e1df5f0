import type {
  CachedBinding,
  CachedGame,
  CachedManifest,
  CachedWorld,
  ClusterCache,
} from './cluster-cache';
import { objectKey } from '../informers/kube-object';
import type { Delta } from '../informers/store';
import { WORLD_LABEL } from './labels';

/**
 * Event -> world keys (controller-runtime's EnqueueRequestsFromMapFunc). Informer handlers
 * call these and enqueue the result, nothing more. Each returns sorted, distinct keys.
 */

const nsOf = (o: { metadata: { namespace?: string } }) => o.metadata.namespace ?? '';
const sorted = (keys: Iterable<string>) => [...new Set(keys)].sort();
const objects = <T>(delta: Delta<T & { metadata: { name: string } }>): T[] =>
  delta.type === 'updated' ? [delta.object, delta.old] : [delta.object];

/** A world change requeues that world. */
export function worldKeysForWorld(delta: Delta<CachedWorld>): string[] {
  return [objectKey(delta.object)];
}

/** A game change requeues the worlds whose gameRef names it (same namespace). */
export function worldKeysForGame(delta: Delta<CachedGame>, cache: ClusterCache): string[] {
  return sorted(cache.worldsOfGame(objectKey(delta.object)).map(objectKey));
}

/**
 * A manifest change requeues the worlds of every game that lists its module (before and after
 * the change), plus the worlds of the namespace that report a diagnostic about a capability the
 * manifest provides (an outsider manifest shows up in their near misses as NotInGame).
 */
export function worldKeysForManifest(delta: Delta<CachedManifest>, cache: ClusterCache): string[] {
  const namespace = nsOf(delta.object);
  const keys: string[] = [];
  const modules = new Set(
    objects(delta)
      .map((m) => m.spec?.module)
      .filter((m): m is string => typeof m === 'string'),
  );
  for (const module of modules) {
    for (const game of cache.gamesWithModule(`${namespace}/${module}`)) {
      keys.push(...cache.worldsOfGame(objectKey(game)).map(objectKey));
    }
  }
  const provided = new Set(
    objects(delta).flatMap((m) =>
      Array.isArray(m.spec?.provides) ? m.spec.provides.map((p) => p?.capabilityId) : [],
    ),
  );
  if (provided.size > 0) {
    for (const world of cache.worlds.list(namespace)) {
      if ((world.status?.diagnostics ?? []).some((d) => provided.has(d.capabilityId)))
        keys.push(objectKey(world));
    }
  }
  return sorted(keys);
}

/** A binding change (including a hand edit or delete) requeues the world(s) its label names. */
export function worldKeysForBinding(delta: Delta<CachedBinding>): string[] {
  const keys = objects(delta)
    .map((b) => b.metadata.labels?.[WORLD_LABEL])
    .filter((w): w is string => typeof w === 'string' && w !== '')
    .map((w) => `${nsOf(delta.object)}/${w}`);
  return sorted(keys);
}
