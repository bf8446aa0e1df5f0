import type {
  CapabilityBinding,
  GameDefinition,
  ModuleManifest,
  WorldInstance,
} from '@anvil/capability-model';
import {
  bindingWorldIndex,
  gameModuleIndex,
  INDEX,
  manifestNamespaceIndex,
  worldGameIndex,
} from './indexes';
import type { Cached } from '../informers/kube-object';
import { Store } from '../informers/store';

/** Cached objects of the four kinds. */
export type CachedManifest = Cached<ModuleManifest>;
export type CachedGame = Cached<GameDefinition>;
export type CachedWorld = Cached<WorldInstance>;
export type CachedBinding = Cached<CapabilityBinding>;

/** The four watched kinds, by the plural the API server uses. */
export const RESOURCES = {
  manifests: 'modulemanifests',
  games: 'gamedefinitions',
  worlds: 'worldinstances',
  bindings: 'capabilitybindings',
} as const;

/** Which store a resource plural belongs to. */
export type ResourceName = (typeof RESOURCES)[keyof typeof RESOURCES];

/**
 * The informer caches of the four kinds with the indexes the mappers and the reconciler use.
 * Reconcile reads current state only from here (controller-runtime's cache-backed client).
 */
export class ClusterCache {
  readonly manifests = new Store<CachedManifest>({
    [INDEX.manifestsByNamespace]: manifestNamespaceIndex,
  });
  readonly games = new Store<CachedGame>({ [INDEX.gamesByModule]: gameModuleIndex });
  readonly worlds = new Store<CachedWorld>({ [INDEX.worldsByGame]: worldGameIndex });
  readonly bindings = new Store<CachedBinding>({ [INDEX.bindingsByWorld]: bindingWorldIndex });

  /** Every manifest of a namespace. */
  manifestsIn(namespace: string): CachedManifest[] {
    return this.manifests.byIndex(INDEX.manifestsByNamespace, namespace);
  }

  /** Bindings labelled as belonging to the world `namespace/name`. */
  bindingsOf(worldKey: string): CachedBinding[] {
    return this.bindings.byIndex(INDEX.bindingsByWorld, worldKey);
  }

  /** Worlds whose gameRef is `namespace/game`. */
  worldsOfGame(gameKey: string): CachedWorld[] {
    return this.worlds.byIndex(INDEX.worldsByGame, gameKey);
  }

  /** Games that list the module `namespace/module`. */
  gamesWithModule(moduleKey: string): CachedGame[] {
    return this.games.byIndex(INDEX.gamesByModule, moduleKey);
  }
}
