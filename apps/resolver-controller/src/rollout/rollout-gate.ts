import type { ModuleManifest, Resolution } from '@anvil/capability-model';

/** One version of one module. */
export interface ModuleVersion {
  module: string;
  version: string;
}

/** A module version in a namespace: what a workload runs. */
export interface NamespacedVersion extends ModuleVersion {
  namespace: string;
}

/** Whether the workload of a module version (in the world's namespace) is Ready. */
export type IsReady = (module: string, version: string) => boolean;

/**
 * The module versions a resolution binds: its participants that some binding names, as
 * consumer or as provider (a module the game lists that nothing binds runs nothing).
 */
export function resolvedVersions(resolution: Resolution): ModuleVersion[] {
  const named = new Set(resolution.bindings.flatMap((b) => [b.consumer, b.provider]));
  return resolution.participants
    .filter((p) => named.has(p.module))
    .map(({ module, version }) => ({ module, version }));
}

/**
 * The manifests a world may bind while a move waits for its workload, or undefined when nothing
 * waits (the world binds what the resolver chose over every manifest). A module waits when the
 * resolver moves the world from the version it binds now to a version whose workload is not
 * Ready, and the bound version's manifest still exists: every not-Ready version of that module
 * other than the bound one is left out, so the world stays where it runs until the new version
 * does (a Kubernetes readiness gate, per module version). Pure.
 */
export function heldManifests(
  wanted: readonly ModuleVersion[],
  bound: readonly ModuleVersion[],
  manifests: readonly ModuleManifest[],
  isReady: IsReady,
): ModuleManifest[] | undefined {
  const boundVersion = new Map(bound.map((b) => [b.module, b.version]));
  const available = new Set(manifests.map((m) => versionKey(m.spec)));
  const waiting = new Map<string, string>();
  for (const { module, version } of wanted) {
    const current = boundVersion.get(module);
    if (current === undefined || current === version || isReady(module, version)) continue;
    if (available.has(versionKey({ module, version: current }))) waiting.set(module, current);
  }
  if (waiting.size === 0) return undefined;
  return manifests.filter(({ spec }) => {
    const current = waiting.get(spec.module);
    return current === undefined || spec.version === current || isReady(spec.module, spec.version);
  });
}

/** The module versions a world's bindings name, as provider or as consumer. */
export function boundVersions(
  bindings: ReadonlyArray<{ spec: { provider: ModuleVersion; consumer: ModuleVersion } }>,
): ModuleVersion[] {
  const versions = new Map<string, ModuleVersion>();
  for (const { spec } of bindings)
    for (const { module, version } of [spec.provider, spec.consumer])
      versions.set(versionKey({ module, version }), { module, version });
  return [...versions.values()];
}

function versionKey({ module, version }: ModuleVersion): string {
  return `${module}@${version}`;
}
