import type { CachedBinding, CachedGame, CachedManifest, CachedWorld } from './cluster-cache';
import type { IndexFunc } from '../informers/store';
import { WORLD_LABEL } from './labels';

/** Index names of the four stores. */
export const INDEX = {
  /** worlds by `namespace/gameRef` */
  worldsByGame: 'byGame',
  /** games by `namespace/module` for each module they list */
  gamesByModule: 'byModule',
  /** manifests by namespace */
  manifestsByNamespace: 'byNamespace',
  /** bindings by `namespace/world` (their anvil.dev/world label) */
  bindingsByWorld: 'byWorld',
} as const;

const ns = (o: { metadata: { namespace?: string } }) => o.metadata.namespace ?? '';
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** `namespace/gameRef` of a world (none when the spec has no usable gameRef). */
export const worldGameIndex: IndexFunc<CachedWorld> = (world) => {
  const game = str(world.spec?.gameRef);
  return game ? [`${ns(world)}/${game}`] : [];
};

/** `namespace/module` for every module a game lists. */
export const gameModuleIndex: IndexFunc<CachedGame> = (game) => {
  const modules = Array.isArray(game.spec?.modules) ? game.spec.modules : [];
  return [
    ...new Set(modules.map((m) => str(m?.name)).filter((m): m is string => m !== undefined)),
  ].map((m) => `${ns(game)}/${m}`);
};

/** The manifest's namespace. */
export const manifestNamespaceIndex: IndexFunc<CachedManifest> = (manifest) => [ns(manifest)];

/** `namespace/world` from a binding's anvil.dev/world label. */
export const bindingWorldIndex: IndexFunc<CachedBinding> = (binding) => {
  const world = str(binding.metadata.labels?.[WORLD_LABEL]);
  return world ? [`${ns(binding)}/${world}`] : [];
};
