import {
  resolve,
  type CapabilityBindingSpec,
  type GameDefinition,
  type ModuleManifest,
  type WorldInstance,
} from '@anvil/capability-model';

/**
 * What the bindings of a world must be, computed straight from `resolve()` of
 * @anvil/capability-model and the manifests, independently of the controller's own code.
 */
export function expectedBindings(
  world: WorldInstance,
  game: GameDefinition,
  manifests: ModuleManifest[],
): Array<{ name: string; spec: CapabilityBindingSpec }> {
  const resolution = resolve(world, game, manifests);
  const manifestOf = (module: string) => {
    const participant = resolution.participants.find((p) => p.module === module);
    const manifest = manifests.find((m) => m.metadata.name === participant?.manifestName);
    if (!participant || !manifest) throw new Error(`no participating manifest for ${module}`);
    return manifest;
  };
  return resolution.bindings.map((b) => {
    const provider = manifestOf(b.provider);
    const spec: CapabilityBindingSpec = {
      worldRef: world.metadata.name,
      consumer: { module: b.consumer, version: manifestOf(b.consumer).spec.version },
      provider: {
        module: b.provider,
        version: provider.spec.version,
        endpoint: provider.spec.endpoint,
      },
      capabilityId: b.capabilityId,
      capabilityVersion: b.providerVersion,
      scope: b.scope,
      multiplicity: b.multiplicity,
      rank: b.rank,
    };
    if (b.shard !== null) spec.shard = b.shard;
    return { name: b.name, spec };
  });
}
