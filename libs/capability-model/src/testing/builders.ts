import {
  API_VERSION,
  DependencyMode,
  GameDefinition,
  GameModuleRef,
  ModuleManifest,
  Multiplicity,
  ProvidedCapability,
  RequiredCapability,
  Scope,
  WorldInstance,
} from '../types';

/** Test builders for the four kinds (not part of the built library). */

/** A provided capability (scope defaults to world). */
export const offer = (
  capabilityId: string,
  version: string,
  scope: Scope = 'world',
): ProvidedCapability => ({ capabilityId, version, scope });

/** A required capability (scope world, multiplicity '1', required unless told). */
export function need(
  capabilityId: string,
  versionConstraint: string,
  options: { scope?: Scope; multiplicity?: Multiplicity; dependencyMode?: DependencyMode } = {},
): RequiredCapability {
  return {
    capabilityId,
    versionConstraint,
    scope: options.scope ?? 'world',
    multiplicity: options.multiplicity ?? '1',
    dependencyMode: options.dependencyMode ?? 'required',
  };
}

/** A ModuleManifest named `<module>-<version>` unless told. */
export function manifest(
  module: string,
  version: string,
  options: { provides?: ProvidedCapability[]; requires?: RequiredCapability[]; name?: string } = {},
): ModuleManifest {
  return {
    apiVersion: API_VERSION,
    kind: 'ModuleManifest',
    metadata: { name: options.name ?? `${module}-${version}` },
    spec: {
      module,
      version,
      image: `example/${module}:${version}`,
      endpoint: { port: 50051, protocol: 'grpc' },
      provides: options.provides ?? [],
      requires: options.requires ?? [],
    },
  };
}

/** A GameDefinition; a module given as a string has no constraint. */
export function game(modules: (string | GameModuleRef)[], name = 'g'): GameDefinition {
  return {
    apiVersion: API_VERSION,
    kind: 'GameDefinition',
    metadata: { name },
    spec: { modules: modules.map((m) => (typeof m === 'string' ? { name: m } : m)) },
  };
}

/** A WorldInstance of game `gameRef`. */
export function world(name = 'w', shards = 1, gameRef = 'g'): WorldInstance {
  return {
    apiVersion: API_VERSION,
    kind: 'WorldInstance',
    metadata: { name },
    spec: { gameRef, region: 'eu-west', shards },
  };
}
